import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMessage {
  id: string;
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  html: string;
  text: string;
}

export interface MailTransport {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** Nodemailer over SMTP. The Message-ID is derived from the outbox id, so a re-send after a crash is recognisably the same mail. */
export function smtpTransport(url: string, timeoutMs: number): MailTransport {
  const transporter: Transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const domain = new URL(url).hostname || 'helpdesk.local';
  return {
    async send(message) {
      const info = await transporter.sendMail({
        from: message.from,
        to: message.to,
        replyTo: message.replyTo ?? undefined,
        subject: message.subject,
        html: message.html,
        text: message.text,
        messageId: `<${message.id}@${domain}>`,
        headers: { 'X-Switchboard-Mail-Id': message.id, 'Auto-Submitted': 'auto-generated' },
      });
      return { messageId: String(info.messageId ?? '') };
    },
    close: () => transporter.close(),
  };
}

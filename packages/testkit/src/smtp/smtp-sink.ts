import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message as the sink received it, parsed. */
export interface ReceivedMail {
  from: string;
  /** Envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  subject: string;
  html: string;
  text: string;
  messageId: string;
  replyTo: string;
  headers: Map<string, unknown>;
  raw: string;
  receivedAt: Date;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` — plain SMTP, no TLS, no auth. */
  readonly url: string;
  readonly port: number;
  readonly messages: readonly ReceivedMail[];
  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** The next `count` messages get a transient failure (451 by default) after DATA. */
  failNext(count: number, code?: number, message?: string): void;
  /** RCPT TO for a matching address is refused permanently (550 by default). */
  rejectRecipients(match: (address: string) => boolean, code?: number): void;
  /** Messages refused so far (transient or permanent). */
  readonly refusals: number;
  clear(): void;
  stop(): Promise<void>;
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

/**
 * A real SMTP server on a free loopback port that keeps what it receives (smtp-server +
 * mailparser), for tests that check what an application actually sends. It can also refuse,
 * as a real relay would: transient 4xx after DATA, or a permanent 5xx per recipient.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }>();
  let failures: { remaining: number; code: number; message: string } = { remaining: 0, code: 451, message: '' };
  let rejecting: { match: (a: string) => boolean; code: number } | undefined;
  let refusals = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    hideSTARTTLS: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (rejecting?.match(address.address.toLowerCase())) {
        refusals++;
        return callback(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: rejecting.code }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (failures.remaining > 0) {
          failures.remaining--;
          refusals++;
          return callback(Object.assign(new Error(failures.message || 'try again later'), { responseCode: failures.code }));
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const mail: ReceivedMail = {
              from: addressText(parsed.from),
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              text: parsed.text ?? '',
              messageId: parsed.messageId ?? '',
              replyTo: addressText(parsed.replyTo),
              headers: parsed.headers as Map<string, unknown>,
              raw: raw.toString('utf8'),
              receivedAt: new Date(),
            };
            messages.push(mail);
            for (const waiter of [...waiters]) {
              if (waiter.match(mail)) {
                waiters.delete(waiter);
                waiter.resolve(mail);
              }
            }
            callback();
          })
          .catch(callback);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get refusals() {
      return refusals;
    },
    waitFor(match, timeoutMs = 10_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (m: ReceivedMail) => { clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: ${JSON.stringify(messages.map((m) => ({ to: m.to, subject: m.subject })))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    failNext(count, code = 451, message = 'try again later') {
      failures = { remaining: count, code, message };
    },
    rejectRecipients(match, code = 550) {
      rejecting = { match, code };
    },
    clear() {
      messages.splice(0);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

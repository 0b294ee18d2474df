import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { outboxEmitter, type Runnable, type ServiceRuntime } from '@switchboard/kit';
import type { HelpdeskConfig } from '../config.js';
import type { Tx } from '../tickets/ticket-service.js';
import { decideAfterSend, decideMailWake, classifySmtpFailure, type MailOutcome } from './mail-rules.js';
import { FINAL_MAIL_STATUSES, OutgoingMail } from './outgoing-mail.js';
import type { MailTransport } from './smtp.js';

export interface MailSpec {
  purpose: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  ticketId?: string | null;
  dedupeKey?: string | null;
  replyTo?: string | null;
}

/** Payload of `helpdesk.mail.failed` (an ops ticket per SMTP host collects these). */
export interface MailFailed {
  mailId: string;
  purpose: string;
  ticketId: string | null;
  toAddress: string;
  attempts: number;
  lastError: string | null;
  summary: string;
}

export const MAIL_REQUESTED = 'helpdesk.mail.requested';

/**
 * The helpdesk's mail outbox. `enqueue` writes the mail in the caller's transaction and announces
 * it on the bus; the worker (any replica) sends it over SMTP, retries transient failures with
 * backoff, and records every outcome on the row. Like the kit's HTTP deliveries, the state lives
 * in the database and the bus only says "look at this one now / later".
 */
export class MailOutbox {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly config: HelpdeskConfig,
    private readonly transport: MailTransport | undefined,
  ) {}

  get configured(): boolean {
    return this.transport !== undefined;
  }

  /** Queue a mail; with a `dedupeKey` that was already used, nothing is queued and null returned. */
  async enqueue(tx: Tx, spec: MailSpec): Promise<OutgoingMail | null> {
    if (spec.dedupeKey && (await tx.em.count(OutgoingMail, { dedupeKey: spec.dedupeKey })) > 0) return null;
    const mail = tx.em.create(OutgoingMail, {
      id: randomUUID(),
      purpose: spec.purpose,
      ticketId: spec.ticketId ?? null,
      dedupeKey: spec.dedupeKey ?? null,
      fromAddress: this.config.HELPDESK_MAIL_FROM,
      toAddress: spec.to,
      replyTo: spec.replyTo ?? null,
      subject: spec.subject.slice(0, 400),
      html: spec.html,
      text: spec.text,
      maxAttempts: this.config.HELPDESK_MAIL_MAX_ATTEMPTS,
    });
    tx.events.emit(MAIL_REQUESTED, { mailId: mail.id }, { subject: mail.id });
    return mail;
  }

  /** Operator: another full round of attempts for a failed (or stuck) mail. */
  async retry(id: string): Promise<OutgoingMail> {
    return this.runtime.transaction(async ({ em, events }) => {
      const mail = await em.findOne(OutgoingMail, { id });
      if (!mail) throw new Error(`mail ${id} not found`);
      if (mail.status === 'sent') return mail;
      if (mail.status === 'in_flight') throw new Error(`mail ${id} is being sent right now; try again in a moment`);
      mail.status = 'pending';
      mail.maxAttempts = mail.attempts + this.config.HELPDESK_MAIL_MAX_ATTEMPTS;
      mail.nextAttemptAt = null;
      mail.updatedAt = new Date();
      events.emit(MAIL_REQUESTED, { mailId: mail.id }, { subject: mail.id });
      return mail;
    });
  }

  worker(): Runnable {
    const { bus, logger } = this.runtime;
    let subscription: { stop(): Promise<void> } | undefined;
    return {
      name: 'helpdesk-mail',
      start: async () => {
        if (!this.transport) {
          logger.warn('HELPDESK_SMTP_URL is not set: helpdesk e-mail is queued in outgoing_mail and sent once it is');
          return;
        }
        if (bus.kind === 'in-process') await this.requeueUnsent();
        subscription = await bus.subscribe(
          { durable: 'helpdesk-mail-sender', subjects: [MAIL_REQUESTED], concurrency: 4, ackWaitMs: this.config.HELPDESK_MAIL_TIMEOUT_MS * 3 + 30_000 },
          async (message) => {
            const id = (message.event.data as { mailId?: string }).mailId;
            if (!id) return message.term();
            try {
              const next = await this.wake(id);
              if (next === 'done') message.ack();
              else message.nak(next);
            } catch (error) {
              // Database trouble: keep the message and look again shortly; a mail is never dropped.
              logger.error({ err: error, mailId: id }, 'mail worker failed; will retry');
              message.nak(5_000);
            }
          },
        );
      },
      stop: async () => {
        await subscription?.stop();
        this.transport?.close();
      },
    };
  }

  /** One wake-up of one mail: `done`, or the delay before the next look. */
  async wake(id: string): Promise<'done' | number> {
    const { db } = this.runtime;
    const claim = await db.em().transactional(async (em) => {
      const mail = await em.findOne(OutgoingMail, { id }, db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
      if (!mail) return { next: 'done' as const };
      const decision = decideMailWake(mail, Date.now());
      if (decision.action === 'done') return { next: 'done' as const };
      if (decision.action === 'wait') return { next: decision.ms };
      mail.attempts += 1;
      mail.status = 'in_flight';
      mail.updatedAt = new Date();
      return { next: 'attempt' as const, mail };
    });
    if (claim.next !== 'attempt') return claim.next;
    return this.send(claim.mail);
  }

  private async send(snapshot: OutgoingMail): Promise<'done' | number> {
    const { db, logger } = this.runtime;
    let outcome: MailOutcome;
    let messageId: string | null = null;
    try {
      const info = await this.transport!.send({
        id: snapshot.id,
        from: snapshot.fromAddress,
        to: snapshot.toAddress,
        replyTo: snapshot.replyTo,
        subject: snapshot.subject,
        html: snapshot.html,
        text: snapshot.text,
      });
      messageId = info.messageId;
      outcome = { ok: true };
    } catch (error) {
      const failure = error as Error & { responseCode?: number; code?: string };
      outcome = { ok: false, kind: classifySmtpFailure(failure), error: failure.message.slice(0, 1000) };
    }
    const decision = decideAfterSend(snapshot.attempts, snapshot.maxAttempts, outcome, this.config.HELPDESK_MAIL_RETRY_BASE_MS);
    const next = await db.em().transactional(async (em) => {
      const mail = await em.findOneOrFail(OutgoingMail, { id: snapshot.id });
      if (FINAL_MAIL_STATUSES.includes(mail.status)) return 'done' as const; // cancelled meanwhile
      mail.updatedAt = new Date();
      mail.lastError = outcome.ok ? null : outcome.error;
      if (decision.status === 'sent') {
        mail.status = 'sent';
        mail.sentAt = new Date();
        mail.smtpMessageId = messageId;
        mail.nextAttemptAt = null;
        return 'done' as const;
      }
      if (decision.status === 'failed') {
        mail.status = 'failed';
        mail.nextAttemptAt = null;
        outboxEmitter(em, this.runtime.service).emit<MailFailed>('helpdesk.mail.failed', {
          mailId: mail.id,
          purpose: mail.purpose,
          ticketId: mail.ticketId ?? null,
          toAddress: mail.toAddress,
          attempts: mail.attempts,
          lastError: mail.lastError ?? null,
          summary: `helpdesk ${mail.purpose} e-mail to ${mail.toAddress} not sent after ${mail.attempts} attempt(s): ${mail.lastError ?? 'unknown error'}`,
        }, { subject: `helpdesk:mail:${this.smtpHost()}` });
        return 'done' as const;
      }
      mail.status = 'pending';
      mail.nextAttemptAt = new Date(Date.now() + decision.retryInMs);
      return decision.retryInMs;
    });
    this.runtime.relay.notify();
    logger.info({ mailId: snapshot.id, purpose: snapshot.purpose, attempt: snapshot.attempts, ok: outcome.ok, status: decision.status }, 'mail attempt');
    return next;
  }

  private smtpHost(): string {
    try {
      return new URL(this.config.HELPDESK_SMTP_URL ?? '').host || 'unconfigured';
    } catch {
      return 'unconfigured';
    }
  }

  /** In-process bus only: its pending wake-ups die with the process, the rows do not. */
  private async requeueUnsent(): Promise<void> {
    const unsent = await this.runtime.db.em().find(OutgoingMail, { status: { $in: ['pending', 'in_flight'] } }, { fields: ['id'] });
    if (unsent.length === 0) return;
    await this.runtime.transaction(async ({ events }) => {
      for (const mail of unsent) events.emit(MAIL_REQUESTED, { mailId: mail.id }, { subject: mail.id });
    });
  }
}

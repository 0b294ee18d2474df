import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { Decimal, formatAmount, GroupCommit, insertRows, type EventEmitter, type ServiceRuntime } from '@switchboard/kit';
import { Payment } from '../payments/payment.js';
import type { CardVault } from './card-vault.js';
import type { WexConfig } from './config.js';
import { ODOO_ERROR_FORWARD_KIND, ODOO_WEBHOOK_KIND } from './delivery-kinds.js';
import { decideRepeat } from './idempotency.js';
import { errorResult, successResult, wexCardRequestBody, type EchoedRequest, type IssuedCard } from './legacy-payloads.js';
import type { ProxyRequest } from './proxy-request.js';
import { problem, type Reply } from './replies.js';
import { WexVirtualCard, type VirtualCardStatus } from './virtual-card.js';
import type { WexClient } from './wex-client.js';
import { classifyWexAnswer, type WexOutcome } from './wex-outcome.js';

/** WEX issues virtual cards in US dollars; the legacy contract carries no currency. */
export const WEX_CURRENCY = 'USD';

/** The Payment row's status for each card status. */
const PAYMENT_STATUS: Record<VirtualCardStatus, string> = {
  issuing: 'pending',
  issued: 'succeeded',
  declined: 'failed',
  failed: 'failed',
  // Money may exist at WEX; nobody knows yet.
  unknown: 'pending',
};

type Tx = { em: EntityManager; events: EventEmitter };
type Step = { kind: 'reply'; reply: Reply } | { kind: 'wait' } | { kind: 'call'; cardId: string };

const WAIT_POLL_MS = 100;
/** Recording a WEX answer is retried from this delay, doubling up to the next, … */
const RECORD_RETRY_FIRST_MS = 250;
const RECORD_RETRY_MAX_MS = 2_000;
/** … until this long before the reservation's lease runs out. */
const RECORD_MARGIN_MS = 2_000;
/** Requests reserved, or answers recorded, by one transaction at most. */
const MAX_PER_COMMIT = 100;

/**
 * `/proxy`: asks WEX for a virtual card at most once per Odoo payment id, answers the caller, and
 * queues the result for Odoo's webhook in the same transaction that records it.
 */
export class VirtualCardIssuer {
  /** First requests for a payment id, reserved together (see reserveFresh). */
  private readonly reservations: GroupCommit<ProxyRequest, string | null>;
  /** WEX answers, recorded together (see recordAll). */
  private readonly recordings: GroupCommit<{ cardId: string; outcome: WexOutcome }, Reply>;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly config: WexConfig,
    private readonly client: WexClient,
    private readonly vault: CardVault,
  ) {
    // SQLite has one writer; PostgreSQL overlaps a commit with the next group.
    const concurrency = runtime.db.dialect === 'sqlite' ? 1 : 3;
    this.reservations = new GroupCommit((requests) => this.reserveFresh(requests), { maxBatch: MAX_PER_COMMIT, concurrency });
    this.recordings = new GroupCommit((answers) => this.recordAll(answers), { maxBatch: MAX_PER_COMMIT, concurrency });
  }

  /** A WEX call older than this never finished: the process died during it. */
  get issuingLeaseMs(): number {
    return this.config.api.timeoutMs + 10_000;
  }

  async request(request: ProxyRequest): Promise<Reply> {
    // The usual case, a payment id never seen: reserved with the other first requests of the moment.
    const reserved = await this.reservations.submit(request);
    if (reserved) return this.callWex(reserved, request);
    const deadline = Date.now() + this.issuingLeaseMs;
    let waited = false;
    for (;;) {
      const step = await this.reserve(request, waited);
      if (step.kind === 'reply') return step.reply;
      if (step.kind === 'call') return this.callWex(step.cardId, request);
      if (Date.now() > deadline) {
        return problem(409, 'Conflict', `payment ${request.paymentId} is still being issued; send the request again in a moment`, { field: 'x_name' });
      }
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  /** Decides, under a row lock, whether this request calls WEX, waits, or gets an earlier answer. */
  private async reserve(request: ProxyRequest, waited: boolean): Promise<Step> {
    try {
      return await this.runtime.transaction(async (tx) => {
        const earlier = await tx.em.findOne(WexVirtualCard, { odooPaymentId: request.paymentId }, this.lock());
        if (!earlier) return { kind: 'call', cardId: this.createCard(tx.em, request) };
        // Whoever waited on a first request gets that request's answer, whatever it was.
        const decision = waited && earlier.status !== 'issuing' ? { action: 'replay' as const } : decideRepeat(earlier, request, Date.now(), this.issuingLeaseMs);
        switch (decision.action) {
          case 'replay':
            return { kind: 'reply', reply: this.replyFor(earlier) };
          case 'conflict':
            return {
              kind: 'reply',
              reply: problem(409, 'Conflict', `x_name ${request.paymentId} was already used for a request with a different ${decision.field}; one payment id gets one card`, { field: decision.field }),
            };
          case 'wait':
            return { kind: 'wait' };
          case 'expire':
            await this.giveUpOnStaleCall(tx, earlier);
            return { kind: 'reply', reply: this.replyFor(earlier) };
          case 'retry':
            await this.restartCard(tx.em, earlier, request);
            return { kind: 'call', cardId: earlier.id };
        }
      });
    } catch (error) {
      // Two first requests raced to insert: the loser reads the winner's row next time round.
      if (error instanceof UniqueConstraintViolationException) return { kind: 'wait' };
      throw error;
    }
  }

  private lock(): { lockMode?: LockMode.PESSIMISTIC_WRITE } {
    return this.runtime.db.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
  }

  private createCard(em: EntityManager, request: ProxyRequest): string {
    const { card, payment } = newCardRows(request, new Date());
    em.create(WexVirtualCard, card);
    em.create(Payment, payment);
    return card.id;
  }

  /**
   * Reserves the first requests for payment ids never seen, in one transaction: one query finds
   * which ids are known, one insert per table stores the rest (`on conflict do nothing`: a replica
   * reserving the same id at the same moment makes ours a repeat). Answers the new card's id, or
   * null for a request that must go the careful way (`reserve`: a known id, or the second request
   * for an id in the same group).
   */
  private async reserveFresh(requests: ProxyRequest[]): Promise<(string | null)[]> {
    return this.runtime.transaction(async ({ em }) => {
      const ids = [...new Set(requests.map((request) => request.paymentId))];
      const known = new Set((await em.find(WexVirtualCard, { odooPaymentId: { $in: ids } }, { fields: ['odooPaymentId'] })).map((card) => card.odooPaymentId));
      const chosen = new Map<string, { request: ProxyRequest; rows: ReturnType<typeof newCardRows> }>();
      const now = new Date();
      for (const request of requests) {
        if (!known.has(request.paymentId) && !chosen.has(request.paymentId)) chosen.set(request.paymentId, { request, rows: newCardRows(request, now) });
      }
      // Inserted in key order: concurrent writers then meet the same keys in the same order.
      const fresh = [...chosen.values()].sort((a, b) => (a.request.paymentId < b.request.paymentId ? -1 : 1));
      const inserted = await insertRows(em, WexVirtualCard, fresh.map((entry) => entry.rows.card), { ignoreConflictsOn: 'odooPaymentId' });
      const stored =
        inserted === fresh.length
          ? new Set(fresh.map((entry) => entry.rows.card.id))
          : new Set((await em.find(WexVirtualCard, { id: { $in: fresh.map((entry) => entry.rows.card.id) } }, { fields: ['id'] })).map((card) => card.id));
      await insertRows(em, Payment, fresh.filter((entry) => stored.has(entry.rows.card.id)).map((entry) => entry.rows.payment));
      return requests.map((request) => {
        const entry = chosen.get(request.paymentId);
        return entry?.request === request && stored.has(entry.rows.card.id) ? entry.rows.card.id : null;
      });
    });
  }

  private async restartCard(em: EntityManager, card: WexVirtualCard, request: ProxyRequest): Promise<void> {
    Object.assign(card, {
      odooRequestId: JSON.stringify(request.requestId),
      vendorName: request.vendorName,
      amountValue: formatAmount(request.amount, 2),
      invoiceNumber: request.invoiceNumber,
      employeeName: request.employeeName,
      status: 'issuing',
      responseStatus: null,
      error: null,
      wexCalls: card.wexCalls + 1,
      updatedAt: new Date(),
    });
    const payment = await em.findOne(Payment, { id: card.id });
    if (payment) {
      Object.assign(payment, {
        status: PAYMENT_STATUS.issuing,
        amountValue: card.amountValue,
        reference: card.invoiceNumber,
        failureCode: null,
        failureMessage: null,
        attempts: card.wexCalls,
        updatedAt: card.updatedAt,
      });
    }
  }

  private async callWex(cardId: string, request: ProxyRequest): Promise<Reply> {
    // The reservation's lease runs from about now; recording must finish before the sweeper's
    // verdict ("unknown") could overtake it.
    const recordBy = Date.now() + this.issuingLeaseMs - RECORD_MARGIN_MS;
    const answer = await this.client.requestCard(wexCardRequestBody(request, this.config.api.merchantCode, new Date()));
    const outcome = classifyWexAnswer(answer, this.config.api.timeoutMs);
    // WEX has issued (or refused) already and cannot be asked again: a database that is briefly
    // away (a failover, a restart) must not cost the card, so recording is retried while it may.
    for (let delayMs = RECORD_RETRY_FIRST_MS; ; delayMs = Math.min(delayMs * 2, RECORD_RETRY_MAX_MS)) {
      try {
        return await this.recordings.submit({ cardId, outcome });
      } catch (error) {
        if (Date.now() + delayMs < recordBy) {
          this.runtime.logger.warn({ err: error, cardId, retryInMs: delayMs }, 'WEX answer not recorded yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          continue;
        }
        // The card row stays `issuing`; once its lease runs out it becomes `unknown` and Odoo is told.
        this.runtime.logger.error({ err: error, cardId, outcome: outcome.type }, 'WEX answer could not be recorded');
        return { httpStatus: 503, body: errorResult(request.requestId, 503, 'the WEX answer could not be recorded; do not re-send before checking the card status') };
      }
    }
  }

  /** Records the WEX answers of several calls in one transaction (rows locked in id order). */
  private async recordAll(answers: { cardId: string; outcome: WexOutcome }[]): Promise<Reply[]> {
    return this.runtime.transaction(async (tx) => {
      const ids = answers.map((answer) => answer.cardId);
      const cards = new Map((await tx.em.find(WexVirtualCard, { id: { $in: ids } }, { ...this.lock(), orderBy: { id: 'asc' } })).map((card) => [card.id, card]));
      const payments = new Map((await tx.em.find(Payment, { id: { $in: ids } })).map((payment) => [payment.id, payment]));
      return answers.map(({ cardId, outcome }) => {
        const card = cards.get(cardId);
        if (!card) throw new Error(`virtual card ${cardId} not found`);
        return this.record(tx, card, payments.get(cardId) ?? null, outcome);
      });
    });
  }

  private record(tx: Tx, card: WexVirtualCard, payment: Payment | null, outcome: WexOutcome): Reply {
    const cardId = card.id;
    const now = new Date();
    if (outcome.type === 'issued') {
      const { sealed, keyId } = this.vault.seal(card.id, outcome.card);
      Object.assign(card, {
        status: 'issued',
        responseStatus: 200,
        error: null,
        cardLastFour: outcome.card.number.slice(-4),
        cardExpirationMonth: outcome.card.expirationMonth,
        cardExpirationYear: outcome.card.expirationYear,
        cardSealed: sealed,
        cardKeyId: keyId,
        updatedAt: now,
      });
      const template = successResult(echoOf(card), { expirationMonth: outcome.card.expirationMonth, expirationYear: outcome.card.expirationYear });
      card.deliveryId = this.runtime.deliveries.enqueue(tx, {
        kind: ODOO_WEBHOOK_KIND,
        url: this.config.webhookUrl!,
        body: JSON.stringify(template),
        reference: card.id,
        id: randomUUID(),
      }).id;
      if (payment) Object.assign(payment, { status: PAYMENT_STATUS.issued, cardLast4: card.cardLastFour, updatedAt: now });
      this.runtime.logger.info({ cardId, paymentId: card.odooPaymentId, lastFour: card.cardLastFour }, 'WEX virtual card issued');
      return { httpStatus: 200, body: successResult(echoOf(card), outcome.card) };
    }
    this.fail(tx, card, outcome.type, outcome.httpStatus, outcome.error, now);
    if (payment) this.failPayment(payment, card, now);
    this.runtime.logger.warn({ cardId, paymentId: card.odooPaymentId, outcome: outcome.type, error: outcome.error }, 'WEX virtual card not issued');
    return this.replyFor(card);
  }

  /** Records a result without a card and forwards it to Odoo once. */
  private fail(tx: Tx, card: WexVirtualCard, status: Exclude<VirtualCardStatus, 'issuing' | 'issued'>, httpStatus: number, error: string, now: Date): void {
    Object.assign(card, { status, responseStatus: httpStatus, error, updatedAt: now });
    this.runtime.deliveries.enqueue(tx, {
      kind: ODOO_ERROR_FORWARD_KIND,
      url: this.config.webhookUrl!,
      body: JSON.stringify(errorResult(JSON.parse(card.odooRequestId) as EchoedRequest['requestId'], httpStatus, error)),
      reference: card.id,
    });
  }

  private failPayment(payment: Payment, card: WexVirtualCard, now: Date): void {
    Object.assign(payment, {
      status: PAYMENT_STATUS[card.status],
      failureCode: `wex_${card.status}`,
      failureMessage: card.error,
      updatedAt: now,
    });
  }

  /** A WEX call that never finished (the process died): the card may exist, Odoo is told so. */
  async giveUpOnStaleCall(tx: Tx, card: WexVirtualCard): Promise<void> {
    const now = new Date();
    this.fail(tx, card, 'unknown', 504, 'the WEX call did not finish (the service stopped while waiting for WEX); the card may or may not have been issued', now);
    const payment = await tx.em.findOne(Payment, { id: card.id });
    if (payment) this.failPayment(payment, card, now);
    this.runtime.logger.warn({ cardId: card.id, paymentId: card.odooPaymentId }, 'unfinished WEX call given up; outcome unknown');
  }

  /** Marks every `issuing` card whose call outlived its lease as `unknown` (any replica may run it). */
  async expireStaleCalls(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.issuingLeaseMs);
    const stale = await this.runtime.db.em().find(WexVirtualCard, { status: 'issuing', updatedAt: { $lt: cutoff } }, { fields: ['id'], limit: 100 });
    let expired = 0;
    for (const { id } of stale) {
      const done = await this.runtime.transaction(async (tx) => {
        const card = await tx.em.findOne(WexVirtualCard, { id }, this.lock());
        if (card?.status !== 'issuing' || card.updatedAt >= cutoff) return false;
        await this.giveUpOnStaleCall(tx, card);
        return true;
      });
      if (done) expired += 1;
    }
    return expired;
  }

  /** The answer the first request got (the card is opened again for a success). */
  replyFor(card: WexVirtualCard): Reply {
    const echo = echoOf(card);
    if (card.status === 'issued' && card.cardSealed) {
      const secrets = this.vault.open(card.id, card.cardSealed);
      const issued: IssuedCard = { ...secrets, expirationMonth: card.cardExpirationMonth!, expirationYear: card.cardExpirationYear! };
      return { httpStatus: 200, body: successResult(echo, issued) };
    }
    const status = card.responseStatus ?? 502;
    return { httpStatus: status, body: errorResult(echo.requestId, status, card.error ?? 'the card was not issued') };
  }
}

/** The rows of a card being issued and of its Payment (every column, for a multi-row insert). */
function newCardRows(request: ProxyRequest, now: Date) {
  const id = `wex_${randomUUID()}`;
  const amountValue = formatAmount(request.amount, 2);
  return {
    card: {
      id,
      odooPaymentId: request.paymentId,
      odooRequestId: JSON.stringify(request.requestId),
      vendorName: request.vendorName,
      amountValue,
      currency: WEX_CURRENCY,
      invoiceNumber: request.invoiceNumber,
      employeeName: request.employeeName,
      status: 'issuing' as VirtualCardStatus,
      wexCalls: 1,
      createdAt: now,
      updatedAt: now,
    },
    payment: {
      id,
      kind: 'virtual_card',
      provider: 'wex',
      status: PAYMENT_STATUS.issuing,
      amountValue,
      currency: WEX_CURRENCY,
      reference: request.invoiceNumber,
      description: `WEX virtual card for ${request.vendorName}`.slice(0, 255),
      refundedAmountValue: '0',
      attempts: 1,
      createdAt: now,
      updatedAt: now,
    },
  };
}

/** What the responses echo, rebuilt from the stored request. */
export function echoOf(card: WexVirtualCard): EchoedRequest {
  return {
    requestId: JSON.parse(card.odooRequestId) as EchoedRequest['requestId'],
    paymentId: card.odooPaymentId,
    vendorName: card.vendorName,
    amount: new Decimal(card.amountValue),
    invoiceNumber: card.invoiceNumber,
    employeeName: card.employeeName ?? null,
  };
}

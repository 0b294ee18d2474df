import type { CloverConfig } from '../config.js';
import type { CloverConnection } from '../connections/clover-connection.js';
import type { CloverApi } from '../http/clover-api.js';
import { CloverNotConnected } from '../http/errors.js';
import type { PlatformCredit, PlatformPayment } from '../platform/platform-api.js';
import type { CloverTerminal } from './clover-terminal.js';

/**
 * REST Pay Display through the Clover cloud (`/connect/v1` on the API host). OAuth tokens only
 * (the `CloverApi` refuses other credentials for this surface), `X-Clover-Device-Id` = the serial,
 * `X-POS-Id` = the connection's RAID (seed quirk 20), `Idempotency-Key` on money movements.
 */
export class CloverRestPay {
  constructor(private readonly api: CloverApi, private readonly config: CloverConfig) {}

  /** The RAID; sandbox connections without one fall back to a fixed POS name, as the seed does. */
  posId(connection: CloverConnection): string {
    if (connection.remoteAppId) return connection.remoteAppId;
    if (connection.environment === 'sandbox') return this.config.fallbackPosId;
    throw new CloverNotConnected('production REST Pay Display calls need the Remote App ID (RAID): set remoteAppId on the connection');
  }

  async ping(connection: CloverConnection, terminal: CloverTerminal): Promise<void> {
    await this.api.call(connection, { surface: 'terminal', method: 'POST', path: '/connect/v1/device/ping', headers: this.headers(connection, terminal), body: {} });
  }

  async welcome(connection: CloverConnection, terminal: CloverTerminal): Promise<void> {
    await this.api.call(connection, { surface: 'terminal', method: 'POST', path: '/connect/v1/device/welcome', headers: this.headers(connection, terminal), body: {} });
  }

  /** Synchronous: answers when the customer is done at the device (or the timeout passes). */
  async pay(connection: CloverConnection, terminal: CloverTerminal, request: { amountCents: number; externalPaymentId: string }, idempotencyKey: string): Promise<PlatformPayment> {
    const body = await this.api.call<{ payment?: PlatformPayment }>(connection, {
      surface: 'terminal',
      method: 'POST',
      path: '/connect/v1/payments',
      headers: { ...this.headers(connection, terminal), 'Idempotency-Key': idempotencyKey },
      body: { amount: request.amountCents, externalPaymentId: request.externalPaymentId, final: true, capture: true },
      timeoutMs: this.config.terminalTimeoutMs,
    });
    if (!body?.payment?.id) throw new Error('REST Pay Display answered without a payment');
    return body.payment;
  }

  async credit(connection: CloverConnection, terminal: CloverTerminal, request: { amountCents: number; externalReferenceId: string }, idempotencyKey: string): Promise<PlatformCredit> {
    const body = await this.api.call<{ credit?: PlatformCredit }>(connection, {
      surface: 'terminal',
      method: 'POST',
      path: '/connect/v1/credits',
      headers: { ...this.headers(connection, terminal), 'Idempotency-Key': idempotencyKey },
      body: { amount: request.amountCents, externalReferenceId: request.externalReferenceId },
      timeoutMs: this.config.terminalTimeoutMs,
    });
    if (!body?.credit?.id) throw new Error('REST Pay Display answered without a credit');
    return body.credit;
  }

  private headers(connection: CloverConnection, terminal: CloverTerminal): Record<string, string> {
    return { 'X-Clover-Device-Id': terminal.serial, 'X-POS-Id': this.posId(connection) };
  }
}

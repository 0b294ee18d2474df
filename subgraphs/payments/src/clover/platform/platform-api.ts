import type { CloverConnection } from '../connections/clover-connection.js';
import { CloverNotConnected } from '../http/errors.js';
import type { CloverApi } from '../http/clover-api.js';

export interface PlatformDevice {
  id: string;
  name?: string;
  model?: string;
  serial: string;
  productName?: string;
}

/** A payment as the Platform API (and REST Pay Display) describes it. */
export interface PlatformPayment {
  id: string;
  amount: number;
  result?: 'SUCCESS' | 'FAIL' | string;
  externalPaymentId?: string;
  createdTime?: number;
  voided?: boolean;
  cardTransaction?: { cardType?: string; last4?: string; first6?: string };
  refunds?: { elements?: { id: string; amount: number }[] };
}

export interface PlatformCredit {
  id: string;
  amount: number;
  createdTime?: number;
  externalReferenceId?: string;
  cardTransaction?: { cardType?: string; last4?: string };
}

/** Platform API v3 reads: devices, and payments/credits (terminal recovery, webhook follow-ups). */
export class CloverPlatform {
  constructor(private readonly api: CloverApi) {}

  async devices(connection: CloverConnection): Promise<PlatformDevice[]> {
    const body = await this.api.call<{ elements?: PlatformDevice[] }>(connection, { surface: 'platform', method: 'GET', path: `${merchantPath(connection)}/devices` });
    return body?.elements ?? [];
  }

  payment(connection: CloverConnection, paymentId: string): Promise<PlatformPayment> {
    return this.api.call<PlatformPayment>(connection, {
      surface: 'platform',
      method: 'GET',
      path: `${merchantPath(connection)}/payments/${encodeURIComponent(paymentId)}?expand=refunds`,
    });
  }

  async paymentByExternalId(connection: CloverConnection, externalPaymentId: string): Promise<PlatformPayment | undefined> {
    const body = await this.api.call<{ elements?: PlatformPayment[] }>(connection, {
      surface: 'platform',
      method: 'GET',
      path: `${merchantPath(connection)}/payments?filter=${encodeURIComponent(`externalPaymentId=${externalPaymentId}`)}`,
    });
    return body?.elements?.[0];
  }

  async creditByExternalId(connection: CloverConnection, externalReferenceId: string): Promise<PlatformCredit | undefined> {
    const body = await this.api.call<{ elements?: PlatformCredit[] }>(connection, {
      surface: 'platform',
      method: 'GET',
      path: `${merchantPath(connection)}/credits?filter=${encodeURIComponent(`externalReferenceId=${externalReferenceId}`)}`,
    });
    return body?.elements?.[0];
  }
}

function merchantPath(connection: CloverConnection): string {
  if (!connection.merchantId) throw new CloverNotConnected(`connection ${connection.id} has no merchant id yet: authorize it first`);
  return `/v3/merchants/${encodeURIComponent(connection.merchantId)}`;
}

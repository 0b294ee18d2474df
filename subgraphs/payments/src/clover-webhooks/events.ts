/** A verified webhook was stored (customer endpoint); subject and event id = the webhook id. */
export const WEBHOOK_RECEIVED = 'payments.clover.webhook.received';
/** Wake-up for the processor after a restart or an operator's `reprocessCloverWebhook`. */
export const WEBHOOK_RETRY_REQUESTED = 'payments.clover.webhook.retry_requested';

export interface WebhookReceived {
  webhookId: string;
  shape: string;
  appId?: string;
  merchantCount: number;
  objectCount: number;
  /** `P:` objects: the ones the processor follows up at the Platform API. */
  paymentObjectCount: number;
  receivedAt: string;
}

export interface WebhookRetryRequested {
  webhookId: string;
}

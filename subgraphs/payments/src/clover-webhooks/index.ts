import { CloverWebhook } from './clover-webhook.js';
import { CloverWebhookResolver } from './graphql.js';

export { cloverWebhooksModule, type CloverWebhooksModule } from './module.js';
export { cloverWebhookRoutes, CUSTOMER_WEBHOOK_PATH, CUSTOMER_CALLBACK_PATH } from './routes.js';
export { signWebhook, checkSignature, SIGNATURE_HEADER } from './signature.js';
export { classify, parseWebhookBody, type WebhookPayload, type WebhookObject } from './webhook-payload.js';
export { WEBHOOK_RECEIVED, type WebhookReceived } from './events.js';
export { CloverWebhook };

export const CLOVER_WEBHOOK_ENTITIES = [CloverWebhook];
export const CLOVER_WEBHOOK_RESOLVERS = [CloverWebhookResolver];

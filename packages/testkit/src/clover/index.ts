export { startCloverEmulator, type CloverEmulator, type CloverEmulatorControl, type CloverEmulatorOptions, type InjectedFailure } from './emulator.js';
export { DECLINE_CARDS, TOKEN_BRANDS, passesLuhn } from './cards.js';
export { REFUND_WINDOW_DAYS } from './ecommerce.js';
export type { CloverHost, RecordedRequest } from './http.js';
export type { CloverApp, CloverCharge, CloverCredit, CloverDevice, CloverMerchant, CloverRefund, DeviceOutcome } from './state.js';
export { CloverEmulatorState } from './state.js';
export { CLOVER_DOCUMENTED_LIMITS, type EmulatedLimit, type EmulatedRateLimits } from './rate-limits.js';
export { firehoseBody, objectEvent, sendCloverWebhook, signCloverWebhook, verificationBody, type FirehoseEvent, type WebhookReply } from './webhooks.js';

import { CloverConnection } from './connections/clover-connection.js';
import { CloverConnectionResolver } from './graphql/connection-resolver.js';
import { CloverPaymentResolver } from './graphql/payment-resolver.js';
import { CloverTerminalResolver } from './graphql/terminal-resolver.js';
import { CloverTerminal } from './terminals/clover-terminal.js';

export { cloverModule, type CloverDeps, type CloverModule } from './module.js';
export { loadCloverConfig, type CloverConfig, type CloverEnvironment, type CloverHosts } from './config.js';
export { PAYMENT_EVENTS, type PaymentEventData } from './charges/payment-events.js';
export { OAuthStateRejected, CloverInputError, CloverNotFoundError, CloverStateError } from './domain-errors.js';
export * from './http/errors.js';
export { signState, verifyState, type StatePayload, type StateCheck } from './oauth/signed-state.js';
export { CloverPlatform, type PlatformPayment, type PlatformCredit, type PlatformDevice } from './platform/platform-api.js';
export { PaymentRecorder, OUTCOME_UNKNOWN, type PaymentChanges } from './charges/payment-recorder.js';
export { terminalPaymentChanges, failureFrom } from './charges/outcomes.js';
export { CloverConnection, CloverTerminal };

/** Tables of the Clover area (the `Payment` entity is shared and listed by the service). */
export const CLOVER_ENTITIES = [CloverConnection, CloverTerminal];

/** GraphQL resolvers of the Clover area. */
export const CLOVER_RESOLVERS = [CloverConnectionResolver, CloverTerminalResolver, CloverPaymentResolver];

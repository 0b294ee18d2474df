export {
  startOdooWebhookReceiver,
  type OdooAck,
  type OdooAnswer,
  type OdooReceivedDelivery,
  type OdooWebhookOptions,
  type OdooWebhookReceiver,
} from './receiver.js';

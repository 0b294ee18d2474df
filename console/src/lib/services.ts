import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ReplayBillingDeadLetterDocument,
  ReplayCommerceDeadLetterDocument,
  ReplayHelpdeskDeadLetterDocument,
  ReplayPaymentsDeadLetterDocument,
  ResendBillingDeliveryDocument,
  ResendCommerceDeliveryDocument,
  ResendHelpdeskDeliveryDocument,
  ResendPaymentsDeliveryDocument,
  type DeadLetterRowFragment,
  type DeliveryRowFragment,
} from '../graphql/generated';
import { request } from './graphql-client';

/** The four subgraphs; each has `<service>Deliveries`, `<service>DeadLetters` and their mutations. */
export const SERVICES = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function isService(value: string): value is ServiceName {
  return (SERVICES as readonly string[]).includes(value);
}

type IdVariables = { id: string };

const RESEND: Record<ServiceName, TypedDocumentNode<Record<string, DeliveryRowFragment>, IdVariables>> = {
  payments: ResendPaymentsDeliveryDocument as never,
  commerce: ResendCommerceDeliveryDocument as never,
  billing: ResendBillingDeliveryDocument as never,
  helpdesk: ResendHelpdeskDeliveryDocument as never,
};

const REPLAY: Record<ServiceName, TypedDocumentNode<Record<string, DeadLetterRowFragment>, IdVariables>> = {
  payments: ReplayPaymentsDeadLetterDocument as never,
  commerce: ReplayCommerceDeadLetterDocument as never,
  billing: ReplayBillingDeadLetterDocument as never,
  helpdesk: ReplayHelpdeskDeadLetterDocument as never,
};

const capitalized = (service: ServiceName) => service[0]!.toUpperCase() + service.slice(1);

/** `resend<Service>Delivery(id)`: another full round of attempts. */
export async function resendDelivery(service: ServiceName, id: string): Promise<DeliveryRowFragment> {
  const data = await request(RESEND[service], { id });
  return data[`resend${capitalized(service)}Delivery`]!;
}

/** `replay<Service>DeadLetter(id)`: the event through its handler once more. */
export async function replayDeadLetter(service: ServiceName, id: string): Promise<DeadLetterRowFragment> {
  const data = await request(REPLAY[service], { id });
  return data[`replay${capitalized(service)}DeadLetter`]!;
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Keyring } from '@switchboard/kit';
import { InputError } from '../shared/validation.js';
import { sealWebhookSecret } from '../webhooks/app-webhooks.js';
import { generateWebhookSecret } from '../webhooks/signing.js';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-keys.js';
import { BillingService } from './billing-service.js';

const SERVICE_CODE = /^[a-z][a-z0-9-]{1,49}$/;

export interface ServiceInput {
  code: string;
  name: string;
  webhookUrl?: string | null;
}

/** Secrets shown once, at creation or rotation; never stored in clear. */
export interface IssuedSecrets {
  service: BillingService;
  apiKey?: string;
  webhookSecret?: string;
}

export function checkWebhookUrl(url: string | null | undefined, field = 'webhookUrl'): string | null {
  if (url === null || url === undefined || url.trim() === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new InputError(field, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InputError(field, 'must be an http(s) URL');
  if (parsed.username || parsed.password) throw new InputError(field, 'must not carry credentials');
  return parsed.toString();
}

export async function createService(em: EntityManager, keyring: Keyring, input: ServiceInput): Promise<IssuedSecrets> {
  const code = input.code.trim().toLowerCase();
  if (!SERVICE_CODE.test(code)) throw new InputError('code', 'must be 2–50 characters of a-z, 0-9 and -, starting with a letter');
  const name = input.name.trim();
  if (!name || name.length > 200) throw new InputError('name', 'must be 1–200 characters');
  if (await em.count(BillingService, { code })) throw new InputError('code', `${code} is already taken`);
  const id = randomUUID();
  const apiKey = generateApiKey(code);
  const webhookSecret = generateWebhookSecret();
  const service = em.create(BillingService, {
    id,
    code,
    name,
    apiKeyHash: hashApiKey(apiKey),
    apiKeyPrefix: apiKeyPrefix(apiKey),
    webhookUrl: checkWebhookUrl(input.webhookUrl),
    webhookSecretSealed: sealWebhookSecret(webhookSecret, id, keyring),
  });
  em.persist(service);
  return { service, apiKey, webhookSecret };
}

export function rotateApiKey(service: BillingService): string {
  const apiKey = generateApiKey(service.code);
  service.apiKeyHash = hashApiKey(apiKey);
  service.apiKeyPrefix = apiKeyPrefix(apiKey);
  service.updatedAt = new Date();
  return apiKey;
}

export function rotateWebhookSecret(service: BillingService, keyring: Keyring): string {
  const secret = generateWebhookSecret();
  service.webhookSecretSealed = sealWebhookSecret(secret, service.id, keyring);
  service.updatedAt = new Date();
  return secret;
}

export function updateService(service: BillingService, input: { name?: string | null; webhookUrl?: string | null; active?: boolean | null }): void {
  if (input.name !== undefined && input.name !== null) {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InputError('name', 'must be 1–200 characters');
    service.name = name;
  }
  if (input.webhookUrl !== undefined) service.webhookUrl = checkWebhookUrl(input.webhookUrl);
  if (input.active !== undefined && input.active !== null) service.active = input.active;
  service.updatedAt = new Date();
}

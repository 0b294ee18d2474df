import type { EntityManager } from '@mikro-orm/core';
import { ClientDeployment } from './client-deployment.js';
import { apiKeyHint, generateApiKey, hashApiKey } from './client-rules.js';

/**
 * The deployment an API key belongs to, if active. The lookup is by the key's SHA-256, so the
 * database never compares (or holds) the key itself.
 */
export async function findClientByApiKey(em: EntityManager, key: string): Promise<ClientDeployment | null> {
  const client = await em.findOne(ClientDeployment, { apiKeyHash: hashApiKey(key) });
  return client?.active ? client : null;
}

export interface NewClient {
  label: string;
  name: string;
  team?: string | null;
  companyName?: string | null;
  ownerEmail?: string | null;
  ownerName?: string | null;
}

/** Register a deployment; returns the key, which is never stored or shown again. */
export function registerClient(em: EntityManager, input: NewClient): { client: ClientDeployment; apiKey: string } {
  const apiKey = generateApiKey();
  const client = em.create(ClientDeployment, {
    ...input,
    apiKeyHash: hashApiKey(apiKey),
    apiKeyHint: apiKeyHint(apiKey),
    keyIssuedAt: new Date(),
  });
  return { client, apiKey };
}

/** Replace a deployment's key: the old key stops working with this commit. */
export function rotateClientKey(client: ClientDeployment): string {
  const apiKey = generateApiKey();
  client.apiKeyHash = hashApiKey(apiKey);
  client.apiKeyHint = apiKeyHint(apiKey);
  client.keyIssuedAt = new Date();
  client.updatedAt = new Date();
  return apiKey;
}

/**
 * The app piggybacks the owner contact from its settings on every submission (seed §2.2). A
 * field the app sent replaces the stored value (blank clears it: "leave blank if your deployment
 * doesn't require approvals"); a field it did not send leaves it alone.
 */
export function applyOwnerContact(
  client: ClientDeployment,
  owner: { email?: string | null; name?: string | null },
): boolean {
  let changed = false;
  if (owner.email !== undefined && (owner.email || null) !== (client.ownerEmail ?? null)) {
    client.ownerEmail = owner.email || null;
    changed = true;
  }
  if (owner.name !== undefined && (owner.name || null) !== (client.ownerName ?? null)) {
    client.ownerName = owner.name || null;
    changed = true;
  }
  if (changed) client.updatedAt = new Date();
  return changed;
}

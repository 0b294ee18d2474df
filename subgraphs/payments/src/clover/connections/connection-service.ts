import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { formatAmount, parseAmount, type Database, type Logger } from '@switchboard/kit';
import type { CloverEnvironment } from '../config.js';
import { CloverInputError, CloverNotFoundError, CloverStateError } from '../domain-errors.js';
import type { CloverApi } from '../http/clover-api.js';
import { isCloverCurrency } from '../money/cents.js';
import { checkSurchargeRule } from '../surcharge/surcharge.js';
import { CloverConnection } from './clover-connection.js';
import type { ConnectionSecrets } from './connection-secrets.js';
import { resealedSecrets } from './reseal.js';

export interface CreateConnectionInput {
  label: string;
  environment: string;
  merchantId?: string | null;
  appId: string;
  appSecret: string;
  remoteAppId?: string | null;
  restApiToken?: string | null;
  ecommercePrivateKey?: string | null;
  currency?: string | null;
}

/** `undefined` leaves a field alone; `null` clears an optional one. */
export interface UpdateConnectionInput {
  label?: string;
  appSecret?: string;
  remoteAppId?: string | null;
  restApiToken?: string | null;
  ecommercePrivateKey?: string | null;
  currency?: string;
}

export interface ConnectionTest {
  ok: boolean;
  merchantName?: string;
  message: string;
}

const CLOVER_ID = /^[A-Za-z0-9]{1,32}$/;
const RAID = /^[A-Za-z0-9]{1,64}\.[A-Za-z0-9]{1,63}$/;
const ENVIRONMENTS: CloverEnvironment[] = ['sandbox', 'production'];

/** Merchant connections: credentials in, sealed at rest; test, disconnect, settings. */
export class CloverConnections {
  constructor(
    private readonly deps: { db: Database; secrets: ConnectionSecrets; api: CloverApi; logger: Logger },
  ) {}

  list(): Promise<CloverConnection[]> {
    return this.deps.db.em().find(CloverConnection, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async get(id: string): Promise<CloverConnection> {
    const row = await this.deps.db.em().findOne(CloverConnection, { id });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${id}`);
    return row;
  }

  async create(input: CreateConnectionInput): Promise<CloverConnection> {
    const label = requiredText(input.label, 'label', 200);
    if (!ENVIRONMENTS.includes(input.environment as CloverEnvironment)) {
      throw new CloverInputError('environment must be sandbox or production', 'environment');
    }
    const appId = requiredText(input.appId, 'appId', 64);
    if (!CLOVER_ID.test(appId)) throw new CloverInputError('appId must be letters and digits only', 'appId');
    const appSecret = requiredText(input.appSecret, 'appSecret', 500);
    const merchantId = optionalText(input.merchantId, 'merchantId', 32);
    if (merchantId && !CLOVER_ID.test(merchantId)) throw new CloverInputError('merchantId must be letters and digits only', 'merchantId');
    const remoteAppId = checkRaid(optionalText(input.remoteAppId, 'remoteAppId', 128));
    const currency = checkCurrency(input.currency ?? 'USD');
    const { secrets } = this.deps;
    const id = randomUUID();
    const now = new Date();
    const row = Object.assign(new CloverConnection(), {
      id,
      label,
      environment: input.environment as CloverEnvironment,
      merchantId: merchantId ?? null,
      appId,
      appSecretSealed: secrets.seal(id, 'app_secret', appSecret),
      remoteAppId: remoteAppId ?? null,
      restApiTokenSealed: sealOptional(secrets, id, 'rest_api_token', optionalText(input.restApiToken, 'restApiToken', 500)),
      ecommercePrivateKeySealed: sealOptional(secrets, id, 'ecommerce_private_key', optionalText(input.ecommercePrivateKey, 'ecommercePrivateKey', 500)),
      secretsKeyId: secrets.currentKeyId,
      currency,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.deps.db.em().persistAndFlush(row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new CloverStateError(`merchant ${merchantId} already has a ${input.environment} connection`, 'duplicate_connection');
      }
      throw error;
    }
    return row;
  }

  async update(id: string, input: UpdateConnectionInput): Promise<CloverConnection> {
    const em = this.deps.db.em();
    const row = await em.findOne(CloverConnection, { id });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${id}`);
    const { secrets } = this.deps;
    Object.assign(row, resealedSecrets(row, secrets));
    if (input.label !== undefined) row.label = requiredText(input.label, 'label', 200);
    if (input.appSecret !== undefined) row.appSecretSealed = secrets.seal(id, 'app_secret', requiredText(input.appSecret, 'appSecret', 500));
    if (input.remoteAppId !== undefined) row.remoteAppId = checkRaid(optionalText(input.remoteAppId, 'remoteAppId', 128)) ?? null;
    if (input.restApiToken !== undefined) {
      row.restApiTokenSealed = sealOptional(secrets, id, 'rest_api_token', optionalText(input.restApiToken, 'restApiToken', 500));
    }
    if (input.ecommercePrivateKey !== undefined) {
      row.ecommercePrivateKeySealed = sealOptional(secrets, id, 'ecommerce_private_key', optionalText(input.ecommercePrivateKey, 'ecommercePrivateKey', 500));
    }
    if (input.currency !== undefined) row.currency = checkCurrency(input.currency);
    row.updatedAt = new Date();
    await em.flush();
    return row;
  }

  async setSurcharge(id: string, percentText: string, fixedText: string): Promise<CloverConnection> {
    const percent = parseAmount(percentText, 4);
    if (!percent) throw new CloverInputError('percent must be a decimal string such as "3" or "2.75"', 'percent');
    const fixed = parseAmount(fixedText, 2);
    if (!fixed) throw new CloverInputError('fixedAmount must be a decimal string such as "0.30"', 'fixedAmount');
    const problem = checkSurchargeRule(percent, fixed)[0];
    if (problem) throw new CloverInputError(problem.message, problem.field);
    const em = this.deps.db.em();
    const row = await em.findOne(CloverConnection, { id });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${id}`);
    row.surchargePercent = percent.toFixed(4);
    row.surchargeFixed = formatAmount(fixed);
    row.updatedAt = new Date();
    await em.flush();
    return row;
  }

  /** Forgets the OAuth tokens (the merchant must authorize again); other credentials stay. */
  async disconnect(id: string): Promise<CloverConnection> {
    const em = this.deps.db.em();
    const row = await em.findOne(CloverConnection, { id });
    if (!row) throw new CloverNotFoundError(`no Clover connection ${id}`);
    Object.assign(row, {
      accessTokenSealed: null,
      accessTokenExpiresAt: null,
      refreshTokenSealed: null,
      refreshTokenExpiresAt: null,
      refreshLeaseOwner: null,
      refreshLeaseUntil: null,
      // A refresh in flight elsewhere must not resurrect the tokens: its version is now stale.
      tokenVersion: row.tokenVersion + 1,
      status: 'disconnected',
      lastError: null,
      updatedAt: new Date(),
    });
    await em.flush();
    this.deps.logger.info({ connectionId: id }, 'clover connection disconnected');
    return row;
  }

  /** `GET /v3/merchants/{mId}` with the best credential the connection has (seed "Test Connection"). */
  async test(id: string): Promise<ConnectionTest> {
    const row = await this.get(id);
    if (!row.merchantId) return { ok: false, message: 'merchant id unknown: authorize the connection first' };
    try {
      const merchant = await this.deps.api.call<{ name?: string }>(row, {
        surface: 'platform',
        method: 'GET',
        path: `/v3/merchants/${encodeURIComponent(row.merchantId)}`,
        allowEcommerceKeyOnPlatform: true,
      });
      const merchantName = merchant?.name ?? undefined;
      if (merchantName && merchantName !== row.merchantName) {
        await this.deps.db.em().nativeUpdate(CloverConnection, { id }, { merchantName, updatedAt: new Date() });
      }
      return { ok: true, merchantName, message: `Test Connection successful. Merchant: ${merchantName ?? row.merchantId}` };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  /** Re-seals every connection still on an older key with the current one; returns how many. */
  async rotateSecrets(): Promise<number> {
    const em = this.deps.db.em();
    const stale = await em.find(CloverConnection, { $or: [{ secretsKeyId: { $ne: this.deps.secrets.currentKeyId } }, { secretsKeyId: null }] });
    for (const row of stale) Object.assign(row, resealedSecrets(row, this.deps.secrets), { updatedAt: new Date() });
    await em.flush();
    return stale.length;
  }
}

function requiredText(value: string | undefined | null, field: string, max: number): string {
  const text = (value ?? '').trim();
  if (!text) throw new CloverInputError(`${field} is required`, field);
  if (text.length > max) throw new CloverInputError(`${field} is longer than ${max} characters`, field);
  return text;
}

function optionalText(value: string | undefined | null, field: string, max: number): string | undefined {
  const text = (value ?? '').trim();
  if (!text) return undefined;
  if (text.length > max) throw new CloverInputError(`${field} is longer than ${max} characters`, field);
  return text;
}

function checkRaid(raid: string | undefined): string | undefined {
  if (raid && !RAID.test(raid)) throw new CloverInputError('remoteAppId must look like <id>.<appId> (the RAID from the app settings)', 'remoteAppId');
  return raid;
}

function checkCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!isCloverCurrency(upper)) throw new CloverInputError('currency must be USD or CAD', 'currency');
  return upper;
}

function sealOptional(secrets: ConnectionSecrets, id: string, field: 'rest_api_token' | 'ecommerce_private_key', value: string | undefined): string | null {
  return value ? secrets.seal(id, field, value) : null;
}


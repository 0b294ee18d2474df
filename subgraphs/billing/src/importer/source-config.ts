import { ConfigError, type Decimal } from '@switchboard/kit';
import { Dec } from '../shared/decimal.js';
import { guardSourceDsn, SourceDsnError } from './dsn-guard.js';

/**
 * Where each app's database is: `BILLING_SOURCE_DSN_<SERVICE>` (service code upper-cased, `-`
 * written `_`), e.g. `BILLING_SOURCE_DSN_NEXACLOUD`. Per source, optionally:
 * `BILLING_SOURCE_CURRENCY_<SERVICE>` (the catalog's currency; invoices carry their own) and
 * `BILLING_SOURCE_CPU_PRICE_<SERVICE>` (price per core-hour of CPU overage, 6 decimals) and
 * `BILLING_SOURCE_PAYMENT_CHANNEL_<SERVICE>` (how the app collected its invoices: `stripe`).
 */
export interface SourceConfig {
  /** The billing service code the source belongs to (lower-case). */
  serviceCode: string;
  dsn: string;
  variable: string;
  currency: string;
  cpuPricePerCoreHour: Decimal;
  /** The clearing account the app's own payments went through (its invoices' `amount_paid`). */
  paymentChannel: string;
}

export const DEFAULT_SOURCE_CURRENCY = 'CAD';
/** NexaCloud's rate: CAD 0.0075 per core-hour (3600 CPU-seconds). */
export const DEFAULT_CPU_PRICE_PER_CORE_HOUR = '0.0075';

const PREFIX = 'BILLING_SOURCE_DSN_';

export function envSuffix(serviceCode: string): string {
  return serviceCode.toUpperCase().replace(/-/g, '_');
}

export function parseSourceConfigs(env: Record<string, string | undefined>, ownDatabaseUrl: string): Map<string, SourceConfig> {
  const problems: { variable: string; message: string }[] = [];
  const sources = new Map<string, SourceConfig>();
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(PREFIX) || raw === undefined || raw === '') continue;
    const suffix = variable.slice(PREFIX.length);
    if (!/^[A-Z0-9_]+$/.test(suffix)) {
      problems.push({ variable, message: 'the service part must be upper-case letters, digits or _' });
      continue;
    }
    const serviceCode = suffix.toLowerCase();
    let dsn: string;
    try {
      dsn = guardSourceDsn(raw, ownDatabaseUrl, variable);
    } catch (error) {
      if (!(error instanceof SourceDsnError)) throw error;
      problems.push({ variable, message: error.message.replace(`${variable} `, '') });
      continue;
    }
    const currencyVariable = `BILLING_SOURCE_CURRENCY_${suffix}`;
    const currency = (env[currencyVariable] || DEFAULT_SOURCE_CURRENCY).trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) problems.push({ variable: currencyVariable, message: 'must be an ISO 4217 code such as CAD' });
    const priceVariable = `BILLING_SOURCE_CPU_PRICE_${suffix}`;
    const priceText = (env[priceVariable] || DEFAULT_CPU_PRICE_PER_CORE_HOUR).trim();
    let cpuPricePerCoreHour: Decimal = new Dec(0);
    if (!/^\d+(\.\d{1,6})?$/.test(priceText)) problems.push({ variable: priceVariable, message: 'must be a decimal with at most 6 places, e.g. 0.0075' });
    else cpuPricePerCoreHour = new Dec(priceText);
    const channelVariable = `BILLING_SOURCE_PAYMENT_CHANNEL_${suffix}`;
    const paymentChannel = (env[channelVariable] || 'stripe').trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9_-]{0,29}$/.test(paymentChannel)) problems.push({ variable: channelVariable, message: 'must be 1-30 letters, digits, _ or -' });
    sources.set(serviceCode, { serviceCode, dsn, variable, currency, cpuPricePerCoreHour, paymentChannel });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return sources;
}

/** The configured source of a service, or a message saying which variable to set. */
export function sourceFor(sources: ReadonlyMap<string, SourceConfig>, serviceCode: string): SourceConfig {
  const key = serviceCode.trim().toLowerCase().replace(/-/g, '_');
  const source = sources.get(key);
  if (!source) throw new SourceDsnError(`no source database is configured for service "${serviceCode}": set ${PREFIX}${envSuffix(serviceCode)}`);
  return source;
}

import { isCurrency, type Decimal } from '@switchboard/kit';
import { CHARGE_MODELS, type ChargeModel, type ChargeTerms, type Tier } from '../rating/charge-models.js';
import { QUANTITY_SCALE, ROUNDING_MODES, type RoundingMode } from '../rating/quantities.js';
import { Dec, MONEY_SCALE, RATE_SCALE, fixed, parseDecimal } from '../shared/decimal.js';
import { CODE_PATTERN, InputError, text } from '../shared/validation.js';
import type { Charge, StoredTier } from './charge.js';
import { AGGREGATIONS, type Aggregation } from './metric.js';

export interface MetricInput {
  code: string;
  name: string;
  aggregation: string;
  unitLabel: string;
  roundingMode?: string | null;
  roundingScale?: number | null;
}

export interface TierInput {
  upTo?: string | null;
  unitPrice: string;
  flatFee?: string | null;
}

export interface ChargeInput {
  metricCode: string;
  name?: string | null;
  chargeModel: string;
  includedQuota?: string | null;
  pricePerUnit?: string | null;
  unitBatch?: string | null;
  tiers?: TierInput[] | null;
}

export interface PlanInput {
  code: string;
  name: string;
  currency: string;
  priceMonthly: string;
  priceYearly?: string | null;
  active?: boolean | null;
  charges?: ChargeInput[] | null;
}

export interface CheckedMetric {
  code: string;
  name: string;
  aggregation: Aggregation;
  unitLabel: string;
  roundingMode: RoundingMode;
  roundingScale: number;
}

export interface CheckedCharge {
  metricCode: string;
  name: string | undefined;
  chargeModel: ChargeModel;
  includedQuota: string;
  pricePerUnit: string;
  unitBatch: string;
  tiers: StoredTier[] | null;
}

export interface CheckedPlan {
  code: string;
  name: string;
  currency: string;
  priceMonthly: string;
  priceYearly: string | null;
  active: boolean;
  charges: CheckedCharge[];
}

function code(value: unknown, field: string): string {
  const checked = text(value, 100);
  if (!checked || !CODE_PATTERN.test(checked)) throw new InputError(field, 'must be 1–100 characters of letters, digits, _ . -');
  return checked;
}

function name(value: unknown, field: string, max = 200): string {
  const checked = text(value, max);
  if (!checked) throw new InputError(field, `must be 1–${max} characters`);
  return checked;
}

function amount(value: unknown, field: string, scale: number, options: { positive?: boolean } = {}): Decimal {
  const parsed = parseDecimal(value, scale);
  if (!parsed || parsed.isNegative()) throw new InputError(field, `must be a non-negative decimal with at most ${scale} decimal places`);
  if (options.positive && parsed.isZero()) throw new InputError(field, 'must be greater than zero');
  return parsed;
}

export function checkMetric(input: MetricInput): CheckedMetric {
  if (!AGGREGATIONS.includes(input.aggregation as Aggregation)) throw new InputError('aggregation', `must be one of ${AGGREGATIONS.join(', ')}`);
  const roundingMode = (input.roundingMode ?? 'none') as RoundingMode;
  if (!ROUNDING_MODES.includes(roundingMode)) throw new InputError('roundingMode', `must be one of ${ROUNDING_MODES.join(', ')}`);
  const roundingScale = input.roundingScale ?? 0;
  if (!Number.isInteger(roundingScale) || roundingScale < 0 || roundingScale > QUANTITY_SCALE) {
    throw new InputError('roundingScale', `must be an integer from 0 to ${QUANTITY_SCALE}`);
  }
  return {
    code: code(input.code, 'code'),
    name: name(input.name, 'name'),
    aggregation: input.aggregation as Aggregation,
    unitLabel: name(input.unitLabel, 'unitLabel', 50),
    roundingMode,
    roundingScale,
  };
}

function checkTiers(input: TierInput[] | null | undefined, field: string): StoredTier[] {
  if (!input || input.length === 0) throw new InputError(field, 'must list at least one tier for graduated and volume charges');
  let previous: Decimal | undefined;
  return input.map((tier, index) => {
    const at = `${field}[${index}]`;
    const last = index === input.length - 1;
    let upTo: Decimal | null = null;
    if (tier.upTo !== null && tier.upTo !== undefined) {
      upTo = amount(tier.upTo, `${at}.upTo`, QUANTITY_SCALE, { positive: true });
      if (previous && upTo.lte(previous)) throw new InputError(`${at}.upTo`, 'must be greater than the previous tier\'s upTo');
      previous = upTo;
    }
    if (last && upTo !== null) throw new InputError(`${at}.upTo`, 'must be null on the last tier (no upper bound)');
    if (!last && upTo === null) throw new InputError(`${at}.upTo`, 'is required on every tier but the last');
    return {
      up_to: upTo === null ? null : upTo.toString(),
      unit_price: fixed(amount(tier.unitPrice, `${at}.unitPrice`, RATE_SCALE), RATE_SCALE),
      flat_fee: fixed(amount(tier.flatFee ?? '0', `${at}.flatFee`, RATE_SCALE), RATE_SCALE),
    };
  });
}

export function checkCharge(input: ChargeInput, field: string): CheckedCharge {
  const chargeModel = input.chargeModel as ChargeModel;
  if (!CHARGE_MODELS.includes(chargeModel)) throw new InputError(`${field}.chargeModel`, `must be one of ${CHARGE_MODELS.join(', ')}`);
  const tiered = chargeModel === 'graduated' || chargeModel === 'volume';
  if (!tiered && input.tiers?.length) throw new InputError(`${field}.tiers`, `are only allowed for graduated and volume charges`);
  if (!tiered && (input.pricePerUnit === null || input.pricePerUnit === undefined)) {
    throw new InputError(`${field}.pricePerUnit`, 'is required for standard and package charges');
  }
  return {
    metricCode: code(input.metricCode, `${field}.metricCode`),
    name: input.name ? name(input.name, `${field}.name`) : undefined,
    chargeModel,
    includedQuota: amount(input.includedQuota ?? '0', `${field}.includedQuota`, QUANTITY_SCALE).toString(),
    pricePerUnit: fixed(amount(input.pricePerUnit ?? '0', `${field}.pricePerUnit`, RATE_SCALE), RATE_SCALE),
    unitBatch: amount(input.unitBatch ?? '1', `${field}.unitBatch`, QUANTITY_SCALE, { positive: true }).toString(),
    tiers: tiered ? checkTiers(input.tiers, `${field}.tiers`) : null,
  };
}

export function checkPlan(input: PlanInput): CheckedPlan {
  const currency = typeof input.currency === 'string' ? input.currency.trim().toUpperCase() : '';
  if (!isCurrency(currency)) throw new InputError('currency', 'must be an ISO 4217 code such as USD or CAD');
  const charges = (input.charges ?? []).map((charge, index) => checkCharge(charge, `charges[${index}]`));
  const metrics = new Set<string>();
  charges.forEach((charge, index) => {
    if (metrics.has(charge.metricCode)) throw new InputError(`charges[${index}].metricCode`, `${charge.metricCode} is charged twice`);
    metrics.add(charge.metricCode);
  });
  return {
    code: code(input.code, 'code'),
    name: name(input.name, 'name'),
    currency,
    priceMonthly: fixed(amount(input.priceMonthly, 'priceMonthly', MONEY_SCALE), MONEY_SCALE),
    priceYearly: input.priceYearly === null || input.priceYearly === undefined ? null : fixed(amount(input.priceYearly, 'priceYearly', MONEY_SCALE), MONEY_SCALE),
    active: input.active ?? true,
    charges,
  };
}

/** A stored charge as rating terms. */
export function chargeTerms(charge: Pick<Charge, 'chargeModel' | 'includedQuota' | 'pricePerUnit' | 'unitBatch' | 'tiers'>): ChargeTerms {
  const tiers: Tier[] = charge.tiers
    ? (JSON.parse(charge.tiers) as StoredTier[]).map((tier) => ({
        upTo: tier.up_to === null ? null : new Dec(tier.up_to),
        unitPrice: new Dec(tier.unit_price),
        flatFee: new Dec(tier.flat_fee),
      }))
    : [];
  return {
    model: charge.chargeModel,
    includedQuota: new Dec(String(charge.includedQuota)),
    pricePerUnit: new Dec(String(charge.pricePerUnit)),
    unitBatch: new Dec(String(charge.unitBatch)),
    tiers,
  };
}

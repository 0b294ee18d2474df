import type { EntityManager } from '@mikro-orm/core';
import { InputError } from '../shared/validation.js';
import { normalizeKeyword, validateRevenueFamilyRules, type RevenueFamilyRuleData } from './revenue-families.js';
import { RevenueFamilyRule } from './revenue-family-rule.js';

/** The current rules, in evaluation order. */
export async function loadRevenueRules(em: EntityManager): Promise<RevenueFamilyRule[]> {
  return em.find(RevenueFamilyRule, {}, { orderBy: { position: 'asc' } });
}

/**
 * Replace the whole ordered list (what a person edits is the list, so order changes are one
 * operation). Affects lines classified from now on: posted entries are never re-booked, drafts
 * pick the new rules up at their next ingest.
 */
export async function replaceRevenueRules(em: EntityManager, rules: readonly RevenueFamilyRuleData[], by: string): Promise<RevenueFamilyRule[]> {
  const normalized = rules.map((r) => ({ family: (r.family ?? '').trim().toLowerCase(), keyword: normalizeKeyword(r.keyword ?? '') }));
  const problems = validateRevenueFamilyRules(normalized);
  if (problems.length > 0) throw new InputError('rules', `are invalid: ${problems.join('; ')}`);
  await em.nativeDelete(RevenueFamilyRule, {});
  const now = new Date();
  const created = normalized.map((rule, index) =>
    em.create(RevenueFamilyRule, { position: index + 1, family: rule.family, keyword: rule.keyword, updatedAt: now, updatedBy: by.slice(0, 200) }));
  await em.flush();
  return created;
}

/**
 * Revenue families (pure). An invoice line's family picks the revenue account it is booked to.
 * The keyword rules are data (table `billing_revenue_family_rule`, editable through GraphQL); this
 * file holds only how they apply:
 * - the description is lower-cased and its whitespace collapsed;
 * - a proration line ("Remaining time on X after …", "Unused time on X from …") is classified as X;
 * - the FIRST rule whose keyword is a substring wins, so order matters: "WordPress Website Hosting -
 *   Managed" is hosting because the hosting rules come before `managed`;
 * - nothing matches → `other`, and the line is flagged for review.
 */

export const OTHER_FAMILY = 'other';

export interface RevenueFamilyRuleData {
  family: string;
  keyword: string;
}

/** The seed's rules, in order (the migration stores them; people edit them from there). */
export const DEFAULT_REVENUE_FAMILY_RULES: readonly RevenueFamilyRuleData[] = [
  { family: 'hosting', keyword: 'odoo erp hosting' },
  { family: 'hosting', keyword: 'wordpress website hosting' },
  { family: 'managed', keyword: 'managed' },
  { family: 'addons', keyword: 'daily backup' },
  { family: 'addons', keyword: 'whatsapp' },
  { family: 'addons', keyword: 'forms builder' },
  { family: 'addons', keyword: 'white label' },
];

export interface Classification {
  family: string;
  /** False when no rule matched (the line went to `other` and needs review). */
  matched: boolean;
  /** The item a proration line refers to, when it is one. */
  prorationOf?: string;
}

const PRORATION = /^(?:remaining|unused) time on (.+?)(?: after | from |\s*\(|$)/;

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

export function classifyRevenue(description: string | null | undefined, rules: readonly RevenueFamilyRuleData[]): Classification {
  let text = normalize(description ?? '');
  const proration = PRORATION.exec(text);
  const prorationOf = proration?.[1]?.trim();
  if (prorationOf) text = prorationOf;
  for (const rule of rules) {
    const keyword = normalize(rule.keyword);
    if (keyword && text.includes(keyword)) return { family: rule.family, matched: true, ...(prorationOf ? { prorationOf } : {}) };
  }
  return { family: OTHER_FAMILY, matched: false, ...(prorationOf ? { prorationOf } : {}) };
}

const FAMILY = /^[a-z][a-z0-9_]{0,39}$/;

/** Problems with a proposed rule list, each naming the rule (empty = valid). */
export function validateRevenueFamilyRules(rules: readonly RevenueFamilyRuleData[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const where = `rules[${index}]`;
    if (!FAMILY.test(rule.family)) problems.push(`${where}.family "${rule.family}" must be lower-case letters, digits or _ (max 40), starting with a letter`);
    const keyword = normalize(rule.keyword ?? '');
    if (!keyword) problems.push(`${where}.keyword must not be empty`);
    else if (keyword.length > 200) problems.push(`${where}.keyword is longer than 200 characters`);
    const key = `${rule.family}|${keyword}`;
    if (seen.has(key)) problems.push(`${where} repeats family "${rule.family}" with keyword "${keyword}"`);
    seen.add(key);
  });
  return problems;
}

export function normalizeKeyword(keyword: string): string {
  return normalize(keyword);
}

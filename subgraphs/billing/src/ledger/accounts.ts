/**
 * The chart of accounts (pure): which accounts exist and how they are named. Accounts are created
 * on first use from these references, so a new revenue family or payment channel needs no setup.
 */

export type AccountKind = 'receivable' | 'revenue' | 'tax_payable' | 'clearing' | 'suspense';
export const ACCOUNT_KINDS: readonly AccountKind[] = ['receivable', 'revenue', 'tax_payable', 'clearing', 'suspense'];

export type AccountRef =
  | { kind: 'receivable' }
  | { kind: 'revenue'; family: string }
  | { kind: 'tax_payable' }
  /** Money received through a payment channel (stripe, clover, …) on its way to the bank. */
  | { kind: 'clearing'; channel: string }
  /** Money received that could not be tied to an invoice yet. */
  | { kind: 'suspense' };

export interface AccountSpec {
  code: string;
  name: string;
  kind: AccountKind;
  family: string | null;
  channel: string | null;
}

const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,29}$/;

/** Payment channel names as accounts use them: lower-case, e.g. `stripe`, `clover`. */
export function normalizeChannel(raw: string | null | undefined): string {
  const channel = (raw ?? '').trim().toLowerCase();
  if (!CHANNEL.test(channel)) throw new Error(`payment channel "${raw ?? ''}" must be 1-30 letters, digits, _ or -`);
  return channel;
}

export function accountSpec(ref: AccountRef): AccountSpec {
  switch (ref.kind) {
    case 'receivable':
      return { code: 'AR', name: 'Accounts receivable', kind: 'receivable', family: null, channel: null };
    case 'revenue':
      return { code: `REV-${ref.family.toUpperCase()}`, name: `Revenue — ${ref.family}`, kind: 'revenue', family: ref.family, channel: null };
    case 'tax_payable':
      return { code: 'TAX-PAYABLE', name: 'Sales tax payable', kind: 'tax_payable', family: null, channel: null };
    case 'clearing': {
      const channel = normalizeChannel(ref.channel);
      return { code: `CLR-${channel.toUpperCase()}`, name: `Clearing — ${channel}`, kind: 'clearing', family: null, channel };
    }
    case 'suspense':
      return { code: 'SUSPENSE', name: 'Suspense — unmatched payments', kind: 'suspense', family: null, channel: null };
  }
}

/** Assets carry debit balances; revenue, tax owed and money held for customers carry credit balances. */
export function normalSide(kind: AccountKind): 'debit' | 'credit' {
  return kind === 'receivable' || kind === 'clearing' ? 'debit' : 'credit';
}

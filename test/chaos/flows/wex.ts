import { classify, countsOf, post, type Flow } from '../support/flow.js';
import { secrets, type ChaosSystem } from '../support/system.js';

/**
 * Odoo asks the WEX proxy for a virtual card (`x_name` is the idempotency key). Payments calls
 * WEX, records the card and answers with it, and delivers it to Odoo's webhook as a work item on
 * the bus, re-sent until Odoo ACKs it (the receiver ACKs through `/ack`). Money is at stake: WEX
 * has no idempotency key, so a second call for the same payment is a second card.
 */
export function wexFlow(system: ChaosSystem, runId: string): Flow {
  const url = () => `${system.service('payments').url}/proxy`;
  return {
    name: 'wex',
    path: 'REST payments → WEX; card → NATS delivery work item → Odoo webhook → /ack',
    weight: 2,
    next(sequence) {
      const paymentId = `CHAOS-${runId}-${sequence}`;
      const body = JSON.stringify({
        _id: sequence,
        x_name: paymentId,
        x_studio_vendor_name: 'Chaos Hauling LLC',
        x_studio_vendor_payment_amount_requested: `${100 + (sequence % 900)}.50`,
        x_studio_hauler_invoice_or_remittance_advice_memo: `INV-${runId}-${sequence}`,
        x_studio_employee_name: 'Chaos Runner',
        x_studio_proxy_auth_token: secrets.wexToken,
      });
      return {
        key: paymentId,
        async send() {
          const answer = await post(url(), body, { 'content-type': 'application/json' });
          if ('status' in answer) {
            // Another request for this payment is still waiting for WEX: Odoo sends it again later.
            if (answer.status === 409 && /still being issued/.test(answer.text)) return { outcome: 'refused', reason: 'HTTP 409 still issuing' };
            // The outcome at WEX is unknown (a call cut short by a crash, a timeout): the card may
            // exist, so the proxy never calls WEX again for this payment and keeps answering this.
            if (answer.status >= 500 && /did not finish|may (or may not )?have been issued/.test(answer.text)) {
              return { outcome: 'final', reason: `WEX outcome unknown: ${String(answer.json?.error ?? answer.text).slice(0, 120)}` };
            }
          }
          return classify(answer, (ok) => typeof ok.json?.card_number === 'string' && ok.json.payment_id === paymentId);
        },
      };
    },
    effects: [
      {
        name: 'card issued at WEX (emulator; money)',
        async count(keys) {
          const wanted = new Set(keys);
          const counts = new Map<string, number>();
          for (const card of system.wex.cards) {
            const paymentId = String(card.userDefinedFields[1]);
            if (wanted.has(paymentId)) counts.set(paymentId, (counts.get(paymentId) ?? 0) + 1);
          }
          return counts;
        },
      },
      {
        name: 'card recorded as issued (payments DB)',
        async count(keys) {
          return countsOf(
            await system.query('payments', "select odoo_payment_id as key, count(*) as n from wex_virtual_card where status = 'issued' and odoo_payment_id = any($1::text[]) group by 1", [keys]),
          );
        },
      },
      {
        name: 'card delivered to Odoo (distinct deliveries)',
        async count(keys) {
          const wanted = new Set(keys);
          const counts = new Map<string, number>();
          for (const delivery of system.odoo.processed()) {
            const paymentId = String(delivery.body.payment_id);
            if (wanted.has(paymentId)) counts.set(paymentId, (counts.get(paymentId) ?? 0) + 1);
          }
          return counts;
        },
      },
      {
        name: 'delivery acknowledged by Odoo (payments DB)',
        async count(keys) {
          return countsOf(
            await system.query(
              'payments',
              `select c.odoo_payment_id as key, count(*) as n from delivery d join wex_virtual_card c on c.id = d.reference
               where d.kind = 'wex.odoo-webhook' and d.status = 'acknowledged' and c.odoo_payment_id = any($1::text[]) group by 1`,
              [keys],
            ),
          );
        },
      },
    ],
    async explain(keys) {
      const rows = await system.query<{ key: string; card: string; delivery: string | null; attempts: number | null; error: string | null }>(
        'payments',
        `select c.odoo_payment_id as key, c.status as card, d.status as delivery, d.attempts, d.last_error as error from wex_virtual_card c
         left join delivery d on d.reference = c.id and d.kind = 'wex.odoo-webhook' where c.odoo_payment_id = any($1::text[])`,
        [keys],
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((key) => {
        const row = byKey.get(key);
        if (!row) return `${key}: no card row`;
        return `${key}: card ${row.card}, delivery ${row.delivery ?? 'none'}${row.attempts !== null ? ` after ${row.attempts} attempt(s)` : ''}${row.error ? `: ${row.error.slice(0, 160)}` : ''}`;
      });
    },
  };
}

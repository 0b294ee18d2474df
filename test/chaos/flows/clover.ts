import { createHash, createHmac } from 'node:crypto';
import { classify, countsOf, post, type Flow } from '../support/flow.js';
import { secrets, type ChaosSystem } from '../support/system.js';

const MERCHANT = 'CHAOSMERCHANT';

/**
 * Clover's firehose announces a payment change, signed with the app secret. Payments journals it
 * and answers; its processor follows the payment up off the bus (no connection for this merchant:
 * recorded as such, which ends the follow-up). Clover re-sends the same bytes when it gets no 2xx.
 */
export function cloverFlow(system: ChaosSystem, runId: string): Flow {
  const dedupeKeyOf = new Map<string, string>();
  return {
    name: 'clover',
    path: 'REST payments (webhook journal) → NATS → payments webhook processor',
    weight: 3,
    next(sequence) {
      const objectId = `${runId}${sequence.toString(36)}`.toUpperCase().padStart(13, '0').slice(-13);
      const body = JSON.stringify({ appId: 'CHAOSAPP00001', merchants: { [MERCHANT]: [{ objectId: `P:${MERCHANT}/${objectId}`, type: 'UPDATE', ts: Date.now() }] } });
      const key = `clover-${runId}-${sequence}`;
      dedupeKeyOf.set(key, `customer:${createHash('sha256').update(body).digest('hex')}`);
      const headers = { 'content-type': 'application/json', 'x-clover-auth-code': createHmac('sha256', secrets.cloverApp).update(body).digest('hex') };
      return {
        key,
        send: async () => classify(await post(`${system.service('payments').url}/payment/clover/webhook`, body, headers), (answer) => answer.json?.ok === true),
      };
    },
    effects: [
      {
        name: 'webhook journaled and followed up (payments DB)',
        async count(keys) {
          const keyOf = new Map(keys.map((key) => [dedupeKeyOf.get(key)!, key]));
          const rows = await system.query<{ key: string; n: string }>(
            'payments',
            "select dedupe_key as key, count(*) as n from clover_webhook where processing_status = 'processed' and dedupe_key = any($1::text[]) group by 1",
            [[...keyOf.keys()]],
          );
          return new Map([...countsOf(rows)].map(([dedupeKey, n]) => [keyOf.get(dedupeKey)!, n]));
        },
      },
    ],
    async explain(keys) {
      const rows = await system.query<{ dedupe_key: string; processing_status: string; processing_attempts: number; processing_started_at: Date | null; processing_error: string | null }>(
        'payments',
        'select dedupe_key, processing_status, processing_attempts, processing_started_at, processing_error from clover_webhook where dedupe_key = any($1::text[])',
        [keys.map((key) => dedupeKeyOf.get(key)!)],
      );
      const byKey = new Map(rows.map((row) => [row.dedupe_key, row]));
      return keys.map((key) => {
        const row = byKey.get(dedupeKeyOf.get(key)!);
        if (!row) return `${key}: no webhook row`;
        return `${key}: ${row.processing_status}, ${row.processing_attempts} attempt(s), claimed at ${row.processing_started_at?.toISOString() ?? '—'}${row.processing_error ? `, error: ${row.processing_error}` : ''}`;
      });
    },
  };
}

import { pino } from 'pino';
import { createSubgraphService, InProcessEventBus } from '@switchboard/kit';
import { startPostgres } from '@switchboard/testkit';
import { payments } from '../src/service.js';
import { webhookRow } from '../src/clover-webhooks/webhook-journal.js';
import { CloverWebhook } from '../src/clover-webhooks/clover-webhook.js';
import { insertRows } from '../src/clover-webhooks/multi-row-insert.js';
const pg = await startPostgres();
for (const url of [`sqlite:/tmp/rows-${Date.now()}.sqlite`, await pg.createDatabase('rows')]) {
  const service = await createSubgraphService(payments, { bus: new InProcessEventBus(), logger: pino({ level: 'silent' }), env: { DATABASE_URL: url, GATEWAY_SIGNING_SECRET: 'x'.repeat(20), PORT: '0', HOST: '127.0.0.1' } });
  const rows = ['a', 'b', 'a'].map((k) => webhookRow({ endpoint: 'customer', status: 'verified', bodyBytes: 1, dedupeKey: k }));
  const n = await service.deps.db.em().transactional((em) => insertRows(em, CloverWebhook, rows, { ignoreConflictsOn: 'dedupeKey' }));
  const again = await service.deps.db.em().transactional((em) => insertRows(em, CloverWebhook, [webhookRow({ endpoint: 'customer', status: 'verified', bodyBytes: 1, dedupeKey: 'b' })], { ignoreConflictsOn: 'dedupeKey' }));
  const stored = await service.deps.db.em().find(CloverWebhook, {});
  console.log(service.deps.db.dialect, n, again, stored.map((s) => [s.dedupeKey, s.receivedAt instanceof Date && !isNaN(+s.receivedAt)]));
  await service.stop();
}
await pg.stop();

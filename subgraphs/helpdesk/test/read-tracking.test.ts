import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadMarker } from '../src/read-tracking/read-marker.js';
import { markSeen, seenMap } from '../src/read-tracking/read-markers.js';
import { Helpdesk, Infrastructure, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

describe.each(['sqlite', 'postgres'] as DbKind[])('read tracking on %s (seed tests 8 and 9)', (db) => {
  let hd: Helpdesk;
  beforeAll(async () => {
    hd = await Helpdesk.start(infra, { bus: 'in-process', db });
  });
  afterAll(() => hd?.stop());

  const mark = (reader: string, ticket: string, id: number) => hd.deps.db.em().transactional((em) => markSeen(em, reader, ticket, id));

  it('8. marking twice upserts one row that keeps the higher id; an older id never lowers it', async () => {
    await mark('user:ENTECH:a@x.co', '42', 100);
    await mark('user:ENTECH:a@x.co', '42', 120);
    await mark('user:ENTECH:a@x.co', '42', 110);
    const rows = await hd.deps.db.em().find(ReadMarker, { reader: 'user:ENTECH:a@x.co', ticketId: '42' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lastSeenMessageId).toBe(120);
  });

  it('9. the seen map covers only tickets with a mark, for this reader only', async () => {
    await mark('user:ENTECH:b@x.co', '1', 10);
    await mark('user:ENTECH:b@x.co', '2', 20);
    await mark('user:MOBILITY:b@x.co', '3', 30);
    const map = await seenMap(hd.deps.db.em(), 'user:ENTECH:b@x.co', ['1', '2', '3']);
    expect(Object.fromEntries(map)).toEqual({ '1': 10, '2': 20 });
  });

  it('concurrent marks by one reader leave one row at the highest id', async () => {
    await Promise.all([5, 9, 7, 3, 8].map((id) => mark('agent:sam', 'T', id)));
    const rows = await hd.deps.db.em().find(ReadMarker, { reader: 'agent:sam', ticketId: 'T' });
    expect(rows.map((r) => r.lastSeenMessageId)).toEqual([9]);
  });
});

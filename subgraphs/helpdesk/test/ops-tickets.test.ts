import { createEvent } from '@switchboard/kit';
import { eventually } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsTicketHandler } from '../src/ops-tickets/ops-ticket-handler.js';
import { Helpdesk, Infrastructure, type BusKind, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'postgres'],
  ['in-process', 'sqlite'],
  ['nats', 'sqlite'],
];

const OPS_QUERY = `query($search: String) { helpdeskInbox(filter: { kinds: ["ops"] }, search: $search, limit: 200) {
  total items { id reference subject kind channel stage priority team customerEmail invoiceId
    invoice { id } ops { sourceKey family eventType occurrenceCount firstSeenAt lastSeenAt lastEventId lastSummary detail } } } }`;

describe.each(MATRIX)('ops tickets from failure events (%s bus, %s)', (bus, db) => {
  let hd: Helpdesk;
  beforeAll(async () => {
    hd = await Helpdesk.start(infra, { bus, db });
  });
  afterAll(() => hd?.stop());

  const opsTickets = (search: string) => hd.gql(OPS_QUERY, { search }).then((d) => d.helpdeskInbox);

  it('ten payments.delivery.exhausted events for the same source → one ops ticket with count 10', async () => {
    const source = 'payments:odoo-ack:https://erp.entech.example';
    for (let n = 1; n <= 10; n++) {
      await hd.publish('payments.delivery.exhausted', {
        deliveryId: `d-${n}`, kind: 'odoo-ack', targetUrl: 'https://erp.entech.example/ack', attempts: 8, lastStatusCode: 503,
        summary: `odoo-ack to https://erp.entech.example gave up after 8 attempt(s): HTTP 503 (#${n})`,
      }, { subject: source, source: 'payments' });
    }
    const page = await eventually(() => opsTickets('erp.entech.example'), (p) => p.items[0]?.ops?.occurrenceCount === 10, { timeoutMs: 20_000 });
    expect(page.total).toBe(1);
    const [ticket] = page.items;
    expect(ticket).toMatchObject({ kind: 'ops', channel: 'ops', stage: 'new', priority: 'high', team: 'ops' });
    expect(ticket.subject).toMatch(/^odoo-ack to https:\/\/erp\.entech\.example gave up after 8 attempt\(s\): HTTP 503/);
    expect(ticket.ops).toMatchObject({ sourceKey: `payments.delivery.exhausted|${source}`, family: 'payments.delivery.exhausted', occurrenceCount: 10 });
    expect(ticket.ops.detail).toMatchObject({ kind: 'odoo-ack', lastStatusCode: 503 });
    expect(ticket.ops.detail.summary).toBeUndefined();
    // A little later nothing more has arrived: still one ticket, still 10.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await opsTickets('erp.entech.example')).items.map((t: any) => t.ops.occurrenceCount)).toEqual([10]);
    const created = await hd.sql<{ n: number }>("select count(*) as n from outbox_event where type = 'helpdesk.ticket.created' and envelope like '%\"channel\":\"ops\"%' and envelope like '%erp.entech.example%'");
    expect(Number(created[0]!.n)).toBe(1);
  });

  it('a redelivered event is applied once: the count does not move', async () => {
    const event = createEvent({ type: 'commerce.sync.failing', source: 'commerce', subject: 'commerce:odoo-sync:ENTECH', data: { summary: 'Odoo stock sync failing for 30 min', failures: 12 } });
    await hd.bus.publish(event);
    await eventually(() => opsTickets('Odoo stock sync'), (p) => p.items[0]?.ops?.occurrenceCount === 1, { timeoutMs: 15_000 });
    // The same event id again, straight through the consumer runner (as a NATS redelivery would arrive).
    const outcome = await hd.deps.consumers.apply(opsTicketHandler(hd.deps), event, 2);
    expect(outcome).toBe('duplicate');
    const again = createEvent({ type: event.type, source: 'commerce', subject: event.subject, data: { summary: 'Odoo stock sync failing for 60 min', failures: 30 } });
    await hd.bus.publish(again);
    const page = await eventually(() => opsTickets('Odoo stock sync'), (p) => p.items[0]?.ops?.occurrenceCount === 2, { timeoutMs: 15_000 });
    expect(page.total).toBe(1);
    expect(page.items[0].ops).toMatchObject({ lastSummary: 'Odoo stock sync failing for 60 min', detail: { failures: 30 } });
  });

  it('different sources get different tickets; dead letters of every domain are handled', async () => {
    await hd.publish('billing.deadletter', { consumer: 'record-payment', eventType: 'payments.charge.succeeded', error: 'invoice INV-9 locked', attempts: 5, summary: 'billing: record-payment gave up on payments.charge.succeeded after 5 attempts: invoice INV-9 locked' }, { subject: 'billing:record-payment:evt-1' });
    await hd.publish('billing.deadletter', { consumer: 'record-payment', eventType: 'payments.charge.succeeded', error: 'invoice INV-9 locked', attempts: 5, summary: 'billing: record-payment gave up on payments.charge.succeeded after 5 attempts: invoice INV-9 locked' }, { subject: 'billing:record-payment:evt-2' });
    await hd.publish('helpdesk.deadletter', { consumer: 'mailer-reply', summary: 'helpdesk: mailer-reply gave up on helpdesk.ticket.replied after 5 attempts: boom' }, { subject: 'helpdesk:mailer-reply:evt-3' });
    const page = await eventually(() => opsTickets('gave up on'), (p) => p.total === 3 && p.items.length === 3, { timeoutMs: 15_000 });
    expect(page.items.map((t: any) => t.ops.family)).toEqual(['deadletter', 'deadletter', 'deadletter']);
    expect(new Set(page.items.map((t: any) => t.ops.sourceKey)).size).toBe(3);
  });

  it('a failed invoice payment links the invoice and the customer', async () => {
    await hd.publish('billing.invoice.payment_failed', { invoiceId: 'INV-1042', customerEmail: 'Ada@Example.com', amount: { amount: '120.00', currency: 'USD' }, summary: 'Payment for INV-1042 failed: card declined' }, { subject: 'billing:invoice:INV-1042' });
    const page = await eventually(() => opsTickets('INV-1042'), (p) => p.total === 1 && p.items.length === 1, { timeoutMs: 15_000 });
    expect(page.items[0]).toMatchObject({ customerEmail: 'ada@example.com', invoiceId: 'INV-1042', invoice: { id: 'INV-1042' } });
    const invoice = await hd.gql('{ _entities(representations: [{ __typename: "Invoice", id: "INV-1042" }]) { ... on Invoice { tickets { id kind } } } }');
    expect(invoice._entities[0].tickets).toEqual([{ id: page.items[0].id, kind: 'ops' }]);
    // Ops tickets never e-mail anyone, even with a customer linked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await hd.gql(`{ helpdeskMail(ticketId: "${page.items[0].id}") { id } }`)).helpdeskMail).toEqual([]);
  });

  it('a solved ops ticket that recurs is reopened, with an internal note, not duplicated', async () => {
    const subject = 'billing:reconciliation:acct-7';
    await hd.publish('billing.reconciliation.delta', { account: 'acct-7', delta: { amount: '4.20', currency: 'USD' }, summary: 'Reconciliation delta of 4.20 USD on acct-7' }, { subject });
    const first = await eventually(() => opsTickets('acct-7'), (p) => p.total === 1 && p.items.length === 1, { timeoutMs: 15_000 });
    const id = first.items[0].id;
    await hd.gql('mutation($id: ID!) { updateTicket(id: $id, input: { stage: "solved" }) { stage } }', { id });
    await hd.publish('billing.reconciliation.delta', { account: 'acct-7', summary: 'Reconciliation delta of 1.00 USD on acct-7' }, { subject });
    const reopened = await eventually(() => hd.gql(`{ ticket(id: "${id}") { stage ops { occurrenceCount } messages { visibility body author { kind } } } }`), (d) => d.ticket.ops.occurrenceCount === 2, { timeoutMs: 15_000 });
    expect(reopened.ticket.stage).toBe('new');
    expect(reopened.ticket.messages).toEqual([{ visibility: 'internal', body: expect.stringContaining('Reopened: this happened again (occurrence 2)'), author: { kind: 'system' } }]);
    expect((await opsTickets('acct-7')).total).toBe(1);
  });

  it('an older occurrence arriving late counts but does not replace the latest detail', async () => {
    const subject = 'commerce:sync:late';
    await hd.publish('commerce.sync.failing', { summary: 'late: newest', seq: 2 }, { subject });
    await eventually(() => opsTickets('late:'), (p) => p.total === 1 && p.items.length === 1, { timeoutMs: 15_000 });
    const old = createEvent({ type: 'commerce.sync.failing', source: 'commerce', subject, data: { summary: 'late: oldest', seq: 1 }, time: new Date(Date.now() - 3_600_000) });
    await hd.bus.publish(old);
    const page = await eventually(() => opsTickets('late:'), (p) => p.items[0]?.ops?.occurrenceCount === 2, { timeoutMs: 15_000 });
    expect(page.items[0].ops).toMatchObject({ lastSummary: 'late: newest', detail: { seq: 2 } });
    expect(new Date(page.items[0].ops.firstSeenAt).getTime()).toBeLessThanOrEqual(new Date(page.items[0].ops.lastSeenAt).getTime());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Helpdesk, Infrastructure, SUPPORT, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const INBOX = `query($filter: InboxFilter, $search: String, $limit: Int, $offset: Int) {
  helpdeskInbox(filter: $filter, search: $search, limit: $limit, offset: $offset) { total items { id reference subject stage assignee priority kind } } }`;

describe.each(['sqlite', 'postgres'] as DbKind[])('support inbox over GraphQL (%s)', (db) => {
  let hd: Helpdesk;
  let key: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    hd = await Helpdesk.start(infra, { bus: 'in-process', db });
    key = await hd.registerClient('ACME');
    ids = {
      printer: await hd.submit(key, { email: 'pat@acme.com', name: 'Pat Printer' }, { subject: 'Printer jams on labels', priority: 'high' }),
      export: await hd.submit(key, { email: 'lee@acme.com', name: 'Lee' }, { kind: 'feature', subject: 'Export 100% of rows' }),
      question: (await hd.gql('mutation { createTicket(input: { kind: "question", subject: "How do refunds work?", customerEmail: "ora@example.com", orderId: "ORD-77" }) { id } }')).createTicket.id,
    };
  });
  afterAll(() => hd?.stop());

  const inbox = (variables: Record<string, unknown>) => hd.gql(INBOX, variables).then((d) => d.helpdeskInbox);

  it('searches reference, subject, reporter and label, case-insensitively', async () => {
    expect((await inbox({ search: 'PRINTER' })).items.map((t: any) => t.id)).toEqual([ids.printer]);
    expect((await inbox({ search: 'pat printer' })).items.map((t: any) => t.id)).toEqual([ids.printer]);
    expect((await inbox({ search: 'ora@example' })).items.map((t: any) => t.id)).toEqual([ids.question]);
    const { reference } = (await hd.gql(`{ ticket(id: "${ids.export}") { reference } }`)).ticket;
    expect((await inbox({ search: reference.toLowerCase() })).items.map((t: any) => t.id)).toEqual([ids.export]);
    expect((await inbox({ search: 'acme' })).total).toBe(2);
    expect((await inbox({ search: 'nothing-like-this' })).total).toBe(0);
  });

  it('filters by kind, priority, channel, label, customer and open stages, and pages', async () => {
    expect((await inbox({ filter: { kinds: ['feature'] } })).items.map((t: any) => t.id)).toEqual([ids.export]);
    expect((await inbox({ filter: { priorities: ['high'] } })).items.map((t: any) => t.id)).toEqual([ids.printer]);
    expect((await inbox({ filter: { channel: 'support' } })).items.map((t: any) => t.id)).toEqual([ids.question]);
    expect((await inbox({ filter: { clientLabel: 'acme' } })).total).toBe(2);
    expect((await inbox({ filter: { customerEmail: 'ORA@example.com' } })).total).toBe(1);
    const page1 = await inbox({ limit: 2, offset: 0 });
    const page2 = await inbox({ limit: 2, offset: 2 });
    expect(page1.total).toBe(3);
    expect(new Set([...page1.items, ...page2.items].map((t: any) => t.id)).size).toBe(3);
  });

  it('assignment moves a new ticket in progress; unassigned and assignee filters follow', async () => {
    const assigned = await hd.gql('mutation($id: ID!) { assignTicket(id: $id, assignee: "Sam@Support.example") { assignee stage } }', { id: ids.printer });
    expect(assigned.assignTicket).toEqual({ assignee: 'sam@support.example', stage: 'in_progress' });
    expect((await inbox({ filter: { assignee: 'sam@support.example' } })).items.map((t: any) => t.id)).toEqual([ids.printer]);
    expect((await inbox({ filter: { unassigned: true } })).total).toBe(2);
    await hd.gql('mutation($id: ID!) { assignTicket(id: $id, assignee: null) { assignee } }', { id: ids.printer });
    expect((await inbox({ filter: { unassigned: true } })).total).toBe(3);
  });

  it('unread for the calling agent: customer messages they have not read', async () => {
    await hd.api('POST', `/api/helpdesk/ticket/${ids.export}/reply`, { key, user: { email: 'lee@acme.com' }, body: { body: 'Any news?' } });
    expect((await inbox({ filter: { unreadOnly: true } })).items.map((t: any) => t.id)).toEqual([ids.export]);
    await hd.gql('mutation($id: ID!) { markTicketRead(id: $id) { id } }', { id: ids.export });
    expect((await inbox({ filter: { unreadOnly: true } })).total).toBe(0);
  });

  it('links to the graph: the order\'s tickets, the customer, the ticket by reference', async () => {
    const order = await hd.gql('{ _entities(representations: [{ __typename: "Order", id: "ORD-77" }]) { ... on Order { tickets { id order { id } customer { email } } } } }');
    expect(order._entities[0].tickets).toEqual([{ id: ids.question, order: { id: 'ORD-77' }, customer: { email: 'ora@example.com' } }]);
    const { reference } = (await hd.gql(`{ ticket(id: "${ids.question}") { reference } }`)).ticket;
    expect((await hd.gql(`{ ticketByReference(reference: "${reference.toLowerCase()}") { id } }`)).ticketByReference.id).toBe(ids.question);
  });

  it('bad input is BAD_USER_INPUT naming the field; unknown tickets are NOT_FOUND; other roles are FORBIDDEN', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [INBOX, { filter: { stages: ['open'] } }, 'filter.stages'],
      [INBOX, { limit: 0 }, 'limit'],
      ['mutation { createTicket(input: { kind: "ops", subject: "x" }) { id } }', {}, 'kind'],
      ['mutation { createTicket(input: { kind: "bug", subject: "x", customerEmail: "nope" }) { id } }', {}, 'customerEmail'],
      ['mutation { createTicket(input: { kind: "bug", subject: "x", clientLabel: "NOPE" }) { id } }', {}, 'clientLabel'],
      [`mutation { updateTicket(id: "${ids.printer}", input: { stage: "done" }) { id } }`, {}, 'stage'],
      [`mutation { replyToTicket(id: "${ids.printer}", body: "<script>x</script>") { id } }`, {}, 'body'],
      [`mutation { replyToTicket(id: "${ids.printer}", body: "ok", attachments: [{ filename: "a", contentType: "nope", sizeBytes: 1 }]) { id } }`, {}, 'attachments[0].content_type'],
    ];
    for (const [query, variables, field] of cases) {
      const result = await hd.graphql(query, variables);
      expect(result.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const missing = await hd.graphql('mutation { assignTicket(id: "nope", assignee: "x") { id } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const finance = await hd.graphql(INBOX, {}, { sub: 'f', roles: ['finance'] });
    expect(finance.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await hd.graphql(INBOX, {}, { sub: 'o', roles: ['ops'] })).errors).toBeUndefined();
  });

  it('replies keep safe formatting and attachment metadata', async () => {
    const posted = await hd.gql(`mutation($id: ID!) { replyToTicket(id: $id, body: "<p onclick=\\"x()\\">See <a href=\\"https://docs.example/x\\">docs</a></p>",
      attachments: [{ filename: "guide.pdf", contentType: "application/pdf", sizeBytes: 2048, url: "https://files.example/guide.pdf" }]) {
      body visibility internal author { kind email name } attachments { filename contentType sizeBytes url } } }`, { id: ids.question }, SUPPORT);
    expect(posted.replyToTicket).toEqual({
      body: '<p>See <a href="https://docs.example/x" rel="noopener noreferrer nofollow" target="_blank">docs</a></p>',
      visibility: 'public', internal: false,
      author: { kind: 'support', email: 'sam@support.example', name: 'sam@support.example' },
      attachments: [{ filename: 'guide.pdf', contentType: 'application/pdf', sizeBytes: 2048, url: 'https://files.example/guide.pdf' }],
    });
  });
});

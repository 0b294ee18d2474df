import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Helpdesk, Infrastructure, SUPPORT, type BusKind, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const MATRIX: [BusKind, DbKind][] = [
  ['in-process', 'sqlite'],
  ['nats', 'postgres'],
];

describe.each(MATRIX)('client-app REST API (%s bus, %s)', (bus, db) => {
  let hd: Helpdesk;
  let entech: string;
  let mobility: string;
  const john = { email: 'John@Entech.com', name: 'John Doe' };
  const jane = { email: 'jane@entech.com', name: 'Jane Roe' };
  const boss = { email: 'boss@entech.com', name: 'Boss', admin: true };

  beforeAll(async () => {
    hd = await Helpdesk.start(infra, { bus, db });
    entech = await hd.registerClient('ENTECH', { companyName: 'ENTECH Inc', team: 'Customer Care' });
    mobility = await hd.registerClient('MOBILITY');
  });
  afterAll(() => hd?.stop());

  describe('authentication and identity', () => {
    it('refuses a missing, unknown or rotated key with 401', async () => {
      expect((await hd.api('GET', '/api/helpdesk/my_tickets', { user: john })).status).toBe(401);
      expect((await hd.api('GET', '/api/helpdesk/my_tickets', { key: 'hdk_not-a-real-key-0000000000000000000000000000', user: john })).status).toBe(401);
      const old = await hd.registerClient('ROTATE');
      const rotated = await hd.gql('mutation { rotateHelpdeskClientKey(label: "rotate") { apiKey client { label apiKeyHint } } }', {}, ADMIN);
      expect((await hd.api('GET', '/api/helpdesk/whoami', { key: old, user: john })).status).toBe(401);
      const fresh = await hd.api('GET', '/api/helpdesk/whoami', { key: rotated.rotateHelpdeskClientKey.apiKey, user: john });
      expect(fresh).toMatchObject({ status: 200, body: { label: 'ROTATE', email: 'john@entech.com', is_admin: false } });
    });

    it('refuses a deactivated deployment\'s key, and only admins may switch it off', async () => {
      const key = await hd.registerClient('PAUSED');
      const bySupport = await hd.graphql('mutation { updateHelpdeskClient(label: "PAUSED", input: { active: false }) { active } }', {}, SUPPORT);
      expect(bySupport.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      await hd.gql('mutation { updateHelpdeskClient(label: "PAUSED", input: { active: false }) { active } }', {}, ADMIN);
      expect((await hd.api('GET', '/api/helpdesk/whoami', { key, user: john })).status).toBe(401);
    });

    it('only admins register keys; keys are stored hashed', async () => {
      const denied = await hd.graphql('mutation { registerHelpdeskClient(input: { label: "X1", name: "x" }) { apiKey } }', {}, SUPPORT);
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const rows = await hd.sql<{ api_key_hash: string }>("select api_key_hash from helpdesk_client where label = 'ENTECH'");
      expect(rows[0]!.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0]!.api_key_hash).not.toContain(entech.slice(4));
    });

    it('a malformed acting-user header is a 400 naming it', async () => {
      const response = await hd.api('GET', '/api/helpdesk/my_tickets', { key: entech, user: { email: 'nope' } });
      expect(response).toMatchObject({ status: 400, body: { field: 'x-helpdesk-user-email' } });
    });
  });

  describe('submit', () => {
    it('stores the keystone: label from the key, reporter e-mail normalized, name, company, team', async () => {
      const response = await hd.api('POST', '/api/helpdesk/submit', {
        key: entech,
        user: john,
        body: { kind: 'bug', subject: 'Invoice PDF is blank', description: '<p>Steps <script>x()</script></p>', diagnostics: { version: '19.0.1.5.0', db: 'admin' } },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ ok: true, title: '[ENTECH] Bug Report: Invoice PDF is blank', follow_up_email_captured: true });
      expect(response.body.reference).toMatch(/^HD-\d{6}$/);
      const ticket = await hd.gql(`{ ticket(id: "${response.body.ticket_id}") {
        clientLabel channel kind team customerEmail description reporter { email name company } followUpEmailCaptured customer { email } } }`);
      expect(ticket.ticket).toMatchObject({
        clientLabel: 'ENTECH', channel: 'app', kind: 'bug', team: 'Customer Care', customerEmail: 'john@entech.com',
        reporter: { email: 'john@entech.com', name: 'John Doe', company: 'ENTECH Inc' }, followUpEmailCaptured: true,
        customer: { email: 'john@entech.com' },
      });
      expect(ticket.ticket.description).not.toContain('script');
      expect(ticket.ticket.description).toContain('Diagnostic context');
    });

    it('10 (central, adapted): the label is stored and the reporter becomes the federated Customer', async () => {
      const id = await hd.submit(entech, { email: 'newperson@example.com', name: 'New Person' }, { subject: 'Hello' });
      const data = await hd.gql(`{ _entities(representations: [{ __typename: "Customer", email: "NewPerson@Example.com" }]) {
        ... on Customer { tickets { id clientLabel reporter { name } } openTicketCount } } }`);
      expect(data._entities[0].tickets).toEqual([{ id, clientLabel: 'ENTECH', reporter: { name: 'New Person' } }]);
      expect(data._entities[0].openTicketCount).toBe(1);
    });

    it('the confirmed reply_email wins over the user\'s address', async () => {
      const id = await hd.submit(entech, john, { reply_email: 'John.Private@Example.com' });
      const data = await hd.gql(`{ ticket(id: "${id}") { customerEmail } }`);
      expect(data.ticket.customerEmail).toBe('john.private@example.com');
    });

    it('a reporter without an e-mail still files, and the ticket shows that no follow-up e-mail was captured', async () => {
      const response = await hd.api('POST', '/api/helpdesk/submit', { key: entech, user: { name: 'Shop Floor PC' }, body: { kind: 'question', subject: 'No email here' } });
      expect(response).toMatchObject({ status: 201, body: { follow_up_email_captured: false } });
      const data = await hd.gql('{ helpdeskInbox(filter: { missingReporterEmail: true }) { items { id followUpEmailCaptured reporter { email name } } } }');
      expect(data.helpdeskInbox.items).toContainEqual({ id: response.body.ticket_id, followUpEmailCaptured: false, reporter: { email: null, name: 'Shop Floor PC' } });
    });

    it('no acting user at all is refused: no anonymous tickets from an app', async () => {
      const response = await hd.api('POST', '/api/helpdesk/submit', { key: entech, body: { kind: 'bug', subject: 'x' } });
      expect(response).toMatchObject({ status: 400, body: { ok: false } });
      expect(response.body.error).toMatch(/acting user/);
    });

    it('bad input is a 400 naming the field; a label in the body is refused, never used', async () => {
      for (const [body, field] of [
        [{ kind: 'ops', subject: 'x' }, 'kind'],
        [{ kind: 'bug', subject: '' }, 'subject'],
        [{ kind: 'bug', subject: 'x'.repeat(301) }, 'subject'],
        [{ kind: 'bug', subject: 'x', reply_email: 'bad' }, 'reply_email'],
        [{ kind: 'bug', subject: 'x', client_label: 'MOBILITY' }, 'client_label'],
      ] as const) {
        const response = await hd.api('POST', '/api/helpdesk/submit', { key: entech, user: john, body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.field).toBe(field);
      }
      const notJson = await fetch(hd.url('/api/helpdesk/submit'), { method: 'POST', headers: { authorization: `Bearer ${entech}`, 'content-type': 'application/json', 'x-helpdesk-user-email': 'a@b.co' }, body: '{' });
      expect(notJson.status).toBe(400);
    });

    it('an Idempotency-Key makes a retried submission harmless', async () => {
      const send = () => hd.api('POST', '/api/helpdesk/submit', { key: entech, user: jane, body: { kind: 'feature', subject: 'Dark mode' }, headers: { 'idempotency-key': 'req-7' } });
      const [a, b] = await Promise.all([send(), send()]);
      const c = await send();
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      expect(new Set([a.body.ticket_id, b.body.ticket_id, c.body.ticket_id]).size).toBe(1);
      expect(c.status).toBe(200);
    });

    it('the owner contact rides along and is upserted on the deployment; blank clears it', async () => {
      await hd.submit(entech, john, { owner_email: 'Kris@Enplating.ca', owner_name: 'Kris' });
      let clients = await hd.gql('{ helpdeskClients { label ownerEmail ownerName } }');
      expect(clients.helpdeskClients.find((c: any) => c.label === 'ENTECH')).toEqual({ label: 'ENTECH', ownerEmail: 'kris@enplating.ca', ownerName: 'Kris' });
      await hd.submit(entech, john, {}); // not sent: unchanged
      clients = await hd.gql('{ helpdeskClients { label ownerEmail } }');
      expect(clients.helpdeskClients.find((c: any) => c.label === 'ENTECH').ownerEmail).toBe('kris@enplating.ca');
      await hd.submit(mobility, john, { owner_email: '' });
      clients = await hd.gql('{ helpdeskClients { label ownerEmail } }');
      expect(clients.helpdeskClients.find((c: any) => c.label === 'MOBILITY').ownerEmail).toBeNull();
    });
  });

  describe('scoped inbox: nothing leaks across users or deployments', () => {
    let johnEntech: string;
    let johnMobility: string;
    let janeEntech: string;

    beforeAll(async () => {
      johnEntech = await hd.submit(entech, john, { subject: 'John at ENTECH' });
      johnMobility = await hd.submit(mobility, { email: 'john@entech.com', name: 'John Doe' }, { subject: 'John at MOBILITY' });
      janeEntech = await hd.submit(entech, jane, { subject: 'Jane at ENTECH' });
    });

    const ids = async (key: string, user: object, scope = 'mine') => {
      const response = await hd.api('GET', `/api/helpdesk/my_tickets?scope=${scope}&limit=200`, { key, user });
      expect(response.status).toBe(200);
      return response.body.tickets.map((t: { id: string }) => t.id) as string[];
    };

    it('the same e-mail under two labels sees only its label\'s tickets', async () => {
      const atEntech = await ids(entech, { email: 'JOHN@entech.com' });
      const atMobility = await ids(mobility, { email: 'john@entech.com' });
      expect(atEntech).toContain(johnEntech);
      expect(atEntech).not.toContain(johnMobility);
      expect(atMobility).toContain(johnMobility);
      expect(atMobility).not.toContain(johnEntech);
      expect(atMobility).not.toContain(janeEntech);
    });

    it('a regular user sees only their own tickets and cannot broaden to all', async () => {
      const mine = await ids(entech, john);
      expect(mine).toContain(johnEntech);
      expect(mine).not.toContain(janeEntech);
      const all = await hd.api('GET', '/api/helpdesk/my_tickets?scope=all', { key: entech, user: john });
      expect(all).toMatchObject({ status: 403, body: { field: 'scope' } });
      const bogus = await hd.api('GET', '/api/helpdesk/my_tickets?scope=everything', { key: entech, user: john });
      expect(bogus.status).toBe(400);
    });

    it('a user without an e-mail sees nothing (fail closed)', async () => {
      expect(await ids(entech, { name: 'Nameless' })).toEqual([]);
    });

    it('an admin of ENTECH sees all of ENTECH and nothing of MOBILITY', async () => {
      const all = await ids(entech, boss, 'all');
      expect(all).toEqual(expect.arrayContaining([johnEntech, janeEntech]));
      expect(all).not.toContain(johnMobility);
      const detail = await hd.api('GET', `/api/helpdesk/ticket/${johnMobility}`, { key: entech, user: boss });
      expect(detail).toMatchObject({ status: 404, body: { error: 'ticket not found' } });
      const reply = await hd.api('POST', `/api/helpdesk/ticket/${johnMobility}/reply`, { key: entech, user: boss, body: { body: 'sneaky' } });
      expect(reply.status).toBe(404);
      expect((await ids(entech, boss, 'mine'))).not.toContain(janeEntech);
    });

    it('detail and reply re-resolve through the scope: another user\'s ticket is not found', async () => {
      expect((await hd.api('GET', `/api/helpdesk/ticket/${janeEntech}`, { key: entech, user: john })).status).toBe(404);
      expect((await hd.api('POST', `/api/helpdesk/ticket/${janeEntech}/reply`, { key: entech, user: john, body: { body: 'hi' } })).status).toBe(404);
      expect((await hd.api('GET', '/api/helpdesk/ticket/not-a-ticket', { key: entech, user: john })).status).toBe(404);
      const messages = await hd.gql(`{ ticket(id: "${janeEntech}") { messages { id } } }`);
      expect(messages.ticket.messages).toEqual([]);
    });

    it('the thread never includes internal notes; unread follows support\'s public replies only', async () => {
      await hd.gql('mutation($id: ID!) { addInternalNote(id: $id, body: "<p>customer is grumpy</p>") { id } }', { id: johnEntech });
      let list = await hd.api('GET', '/api/helpdesk/my_tickets', { key: entech, user: john });
      expect(list.body.tickets.find((t: any) => t.id === johnEntech).has_unread).toBe(false);
      const before = (await hd.api('GET', '/api/helpdesk/unread_count', { key: entech, user: john })).body.count;

      await hd.gql('mutation($id: ID!) { replyToTicket(id: $id, body: "<p>We are on it</p>") { id visibility } }', { id: johnEntech });
      list = await hd.api('GET', '/api/helpdesk/my_tickets', { key: entech, user: john });
      expect(list.body.tickets.find((t: any) => t.id === johnEntech).has_unread).toBe(true);
      expect((await hd.api('GET', '/api/helpdesk/unread_count', { key: entech, user: john })).body.count).toBe(before + 1);
      // The same address at the other deployment has its own badge.
      expect((await hd.api('GET', '/api/helpdesk/unread_count', { key: mobility, user: john })).body.count).toBe(0);

      const detail = await hd.api('GET', `/api/helpdesk/ticket/${johnEntech}`, { key: entech, user: john });
      expect(detail.status).toBe(200);
      expect(JSON.stringify(detail.body)).not.toContain('grumpy');
      expect(detail.body.messages.map((m: any) => [m.author.kind, m.body])).toEqual([['support', '<p>We are on it</p>']]);
      expect(detail.body.can_reply).toBe(true);
      // Opening it cleared that ticket only.
      expect((await hd.api('GET', '/api/helpdesk/unread_count', { key: entech, user: john })).body.count).toBe(before);
    });

    it('a reply is escaped text, moves a waiting ticket back in progress, and support sees it unread', async () => {
      await hd.gql('mutation($id: ID!) { updateTicket(id: $id, input: { stage: "waiting" }) { stage } }', { id: johnEntech });
      const reply = await hd.api('POST', `/api/helpdesk/ticket/${johnEntech}/reply`, { key: entech, user: john, body: { body: 'Thanks <b>a lot</b>\nreally' } });
      expect(reply).toMatchObject({ status: 201, body: { ok: true } });
      const data = await hd.gql(`{ ticket(id: "${johnEntech}") { stage unread messages(includeInternal: false) { author { kind email } body } } helpdeskUnreadCount }`);
      expect(data.ticket.stage).toBe('in_progress');
      expect(data.ticket.unread).toBe(true);
      expect(data.ticket.messages.at(-1)).toEqual({ author: { kind: 'customer', email: 'john@entech.com' }, body: '<p>Thanks &lt;b&gt;a lot&lt;/b&gt;<br>really</p>' });
      expect(data.helpdeskUnreadCount).toBeGreaterThanOrEqual(1);
      await hd.gql('mutation($id: ID!) { markTicketRead(id: $id) { id } }', { id: johnEntech });
      expect((await hd.gql(`{ ticket(id: "${johnEntech}") { unread } }`)).ticket.unread).toBe(false);
      // Read marks are per agent.
      const other = { sub: 'agent-2', email: 'kim@support.example', roles: ['support'] };
      expect((await hd.gql(`{ ticket(id: "${johnEntech}") { unread } }`, {}, other)).ticket.unread).toBe(true);
    });

    it('an empty or oversized reply is a 400; a cancelled ticket takes no replies (409)', async () => {
      expect((await hd.api('POST', `/api/helpdesk/ticket/${johnEntech}/reply`, { key: entech, user: john, body: { body: '  ' } })).status).toBe(400);
      expect((await hd.api('POST', `/api/helpdesk/ticket/${johnEntech}/reply`, { key: entech, user: john, body: { body: 'x'.repeat(10_001) } })).status).toBe(400);
      await hd.gql('mutation($id: ID!) { updateTicket(id: $id, input: { stage: "cancelled" }) { stage } }', { id: janeEntech });
      const closed = await hd.api('POST', `/api/helpdesk/ticket/${janeEntech}/reply`, { key: entech, user: jane, body: { body: 'hello?' } });
      expect(closed.status).toBe(409);
      const detail = await hd.api('GET', `/api/helpdesk/ticket/${janeEntech}`, { key: entech, user: jane });
      expect(detail.body.can_reply).toBe(false);
    });
  });
});

import { eventually, startSmtpSink, type ReceivedMail, type SmtpSink } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Helpdesk, Infrastructure, type BusKind, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const MATRIX: [BusKind, DbKind][] = [
  ['nats', 'sqlite'],
  ['in-process', 'postgres'],
];

/** The magic link in an e-mail, pointed at the running service instead of the public base URL. */
function linkIn(mail: ReceivedMail, hd: Helpdesk): string {
  const match = mail.html.match(/href="http:\/\/helpdesk\.test(\/helpdesk\/ticket\/[A-Za-z0-9_-]{43})"/);
  if (!match) throw new Error(`no magic link in ${mail.html}`);
  expect(mail.text).toContain(`http://helpdesk.test${match[1]}`);
  return hd.url(match[1]);
}

async function postForm(url: string, fields: Record<string, string>) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

describe.each(MATRIX)('acknowledgement e-mail and the magic-link page (%s bus, %s)', (bus, db) => {
  let hd: Helpdesk;
  let smtp: SmtpSink;
  let key: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    hd = await Helpdesk.start(infra, { bus, db, env: { HELPDESK_SMTP_URL: smtp.url, HELPDESK_MAIL_MAX_ATTEMPTS: '4' } });
    key = await hd.registerClient('ENTECH');
  });
  afterAll(async () => {
    await hd?.stop();
    await smtp?.stop();
  });

  it('a real SMTP server receives the acknowledgement, and its link opens the ticket page', async () => {
    const id = await hd.submit(key, { email: 'Ann@Entech.com', name: 'Ann Lee' }, { subject: 'Cannot print <labels>' });
    const { reference } = (await hd.gql(`{ ticket(id: "${id}") { reference } }`)).ticket;
    const mail = await smtp.waitFor((m) => m.subject === `We received your request [${reference}]`);
    expect(mail.to).toEqual(['ann@entech.com']);
    expect(mail.from).toMatch(/^"?Helpdesk Test"? <support@helpdesk\.test>$/);
    expect(mail.html).toContain('Hello Ann Lee');
    expect(mail.html).toContain('Cannot print &lt;labels&gt;');

    const page = await fetch(linkIn(mail, hd));
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain(reference);
    expect(html).toContain('[ENTECH] Bug Report: Cannot print &lt;labels&gt;');
    expect(html).toContain('<form method="post"');

    const outbox = await hd.gql(`{ helpdeskMail(ticketId: "${id}") { purpose status attempts toAddress } }`);
    expect(outbox.helpdeskMail).toEqual([{ purpose: 'acknowledgement', status: 'sent', attempts: 1, toAddress: 'ann@entech.com' }]);
  });

  it('the page shows public replies only, takes the reporter\'s reply, and support\'s reply is e-mailed with a fresh link', async () => {
    const id = await hd.submit(key, { email: 'bob@entech.com', name: 'Bob' }, { subject: 'Slow search' });
    const { reference } = (await hd.gql(`{ ticket(id: "${id}") { reference } }`)).ticket;
    const ack = await smtp.waitFor((m) => m.subject.includes(reference));
    await hd.gql('mutation($id: ID!) { addInternalNote(id: $id, body: "<p>secret triage note</p>") { id } }', { id });
    await hd.gql('mutation($id: ID!) { replyToTicket(id: $id, body: "<p>Which browser?</p>") { id } }', { id });
    const replyMail = await smtp.waitFor((m) => m.subject === `New reply on your request [${reference}]`);
    expect(replyMail.html).toContain('Which browser?');
    expect(replyMail.html).not.toContain('secret triage note');

    const link = linkIn(ack, hd);
    const html = await (await fetch(link)).text();
    expect(html).toContain('Which browser?');
    expect(html).not.toContain('secret triage note');

    const posted = await postForm(`${link}/reply`, { body: 'Firefox <script>alert(1)</script>' });
    expect(posted.status).toBe(303);
    const after = await (await fetch(new URL(posted.headers.get('location')!, `${link}/reply`))).text();
    expect(after).toContain('Your reply was sent.');
    expect(after).toContain('Firefox &lt;script&gt;alert(1)&lt;/script&gt;');
    const thread = await hd.gql(`{ ticket(id: "${id}") { unread messages(includeInternal: false) { author { kind email } } } }`);
    expect(thread.ticket.messages.at(-1).author).toEqual({ kind: 'customer', email: 'bob@entech.com' });
    expect(thread.ticket.unread).toBe(true);

    expect((await postForm(`${link}/reply`, { body: '   ' })).status).toBe(400);
    // The reply e-mail's own link works too.
    expect((await fetch(linkIn(replyMail, hd))).status).toBe(200);
  });

  it('reading on the page clears the in-app badge for the reporter', async () => {
    const id = await hd.submit(key, { email: 'cat@entech.com', name: 'Cat' }, { subject: 'Badge' });
    const { reference } = (await hd.gql(`{ ticket(id: "${id}") { reference } }`)).ticket;
    await hd.gql('mutation($id: ID!) { replyToTicket(id: $id, body: "<p>Done</p>") { id } }', { id });
    const user = { email: 'cat@entech.com' };
    expect((await hd.api('GET', '/api/helpdesk/unread_count', { key, user })).body.count).toBe(1);
    const unread = await hd.gql('{ _entities(representations: [{ __typename: "Customer", email: "cat@entech.com" }]) { ... on Customer { unreadTicketCount } } }');
    expect(unread._entities[0].unreadTicketCount).toBe(1);
    const ack = await smtp.waitFor((m) => m.subject === `We received your request [${reference}]`);
    await fetch(linkIn(ack, hd));
    expect((await hd.api('GET', '/api/helpdesk/unread_count', { key, user })).body.count).toBe(0);
    const read = await hd.gql('{ _entities(representations: [{ __typename: "Customer", email: "cat@entech.com" }]) { ... on Customer { unreadTicketCount } } }');
    expect(read._entities[0].unreadTicketCount).toBe(0);
  });

  it('rotating a ticket\'s links kills the old ones (friendly page) and mails one that works', async () => {
    const id = await hd.submit(key, { email: 'dan@entech.com', name: 'Dan' }, { subject: 'Rotate me' });
    const { reference } = (await hd.gql(`{ ticket(id: "${id}") { reference } }`)).ticket;
    const ack = await smtp.waitFor((m) => m.subject === `We received your request [${reference}]`);
    const old = linkIn(ack, hd);
    expect((await fetch(old)).status).toBe(200);

    await hd.gql('mutation($id: ID!) { rotateTicketAccessLink(id: $id) { id } }', { id });
    const reused = await fetch(old);
    expect(reused.status).toBe(404);
    const friendly = await reused.text();
    expect(friendly).toContain('no longer valid');
    expect(friendly).toContain('mailto:help@helpdesk.test');
    expect((await postForm(`${old}/reply`, { body: 'still me?' })).status).toBe(404);

    const fresh = await smtp.waitFor((m) => m.subject === `Your new link for request [${reference}]`);
    expect((await fetch(linkIn(fresh, hd))).status).toBe(200);
  });

  it('forged or malformed links get the friendly page, never an error', async () => {
    for (const path of ['/helpdesk/ticket/' + 'A'.repeat(43), '/helpdesk/ticket/short', '/helpdesk/ticket/%3Cscript%3E']) {
      const response = await fetch(hd.url(path));
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain('Link no longer valid');
    }
  });

  it('a tenant-less ticket created by support is acknowledged too; ops and e-mail-less tickets are not', async () => {
    const created = await hd.gql('mutation { createTicket(input: { kind: "question", subject: "Phoned in", customerEmail: "Eve@Example.com", reporterName: "Eve" }) { id reference channel } }');
    expect(created.createTicket.channel).toBe('support');
    await smtp.waitFor((m) => m.subject === `We received your request [${created.createTicket.reference}]` && m.to[0] === 'eve@example.com');
    const none = await hd.submit(key, { name: 'No Mail' }, { subject: 'Silent' });
    // The created event for the e-mail-less ticket was consumed without queuing anything.
    const [createdEvent] = await hd.sql<{ id: string }>(`select id from outbox_event where type = 'helpdesk.ticket.created' and envelope like '%${none}%'`);
    await eventually(
      () => hd.sql<{ n: number }>(`select count(*) as n from processed_event where consumer = 'mailer-acknowledgement' and event_id = '${createdEvent!.id}'`),
      (rows) => Number(rows[0]!.n) === 1,
    );
    expect((await hd.gql(`{ helpdeskMail(ticketId: "${none}") { id } }`)).helpdeskMail).toEqual([]);
  });

  it('transient SMTP failures are retried until the mail goes through', async () => {
    smtp.failNext(2);
    const refusedBefore = smtp.refusals;
    const id = await hd.submit(key, { email: 'flaky@entech.com', name: 'Flaky' }, { subject: 'Retry me' });
    const { reference } = (await hd.gql(`{ ticket(id: "${id}") { reference } }`)).ticket;
    await smtp.waitFor((m) => m.subject === `We received your request [${reference}]`, 20_000);
    expect(smtp.refusals - refusedBefore).toBe(2);
    const mail = await eventually(() => hd.gql(`{ helpdeskMail(ticketId: "${id}") { status attempts lastError } }`), (d) => d.helpdeskMail[0]?.status === 'sent');
    expect(mail.helpdeskMail[0]).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('a permanent refusal fails the mail at once and opens an ops ticket for the mail host', async () => {
    smtp.rejectRecipients((address) => address.startsWith('gone@'));
    const id = await hd.submit(key, { email: 'gone@entech.com', name: 'Gone' }, { subject: 'Bounce' });
    const failed = await eventually(() => hd.gql(`{ helpdeskMail(ticketId: "${id}") { id status attempts lastError } }`), (d) => d.helpdeskMail[0]?.status === 'failed', { timeoutMs: 20_000 });
    expect(failed.helpdeskMail[0].attempts).toBe(1);
    expect(failed.helpdeskMail[0].lastError).toMatch(/550|unavailable/);
    const ops = await eventually(
      () => hd.gql('{ helpdeskInbox(filter: { kinds: ["ops"] }, search: "gone@entech.com") { items { subject priority ops { family occurrenceCount sourceKey } } } }'),
      (d) => d.helpdeskInbox.items.length === 1,
      { timeoutMs: 20_000 },
    );
    expect(ops.helpdeskInbox.items[0].ops).toMatchObject({ family: 'helpdesk.mail.failed', occurrenceCount: 1 });
    expect(ops.helpdeskInbox.items[0].ops.sourceKey).toBe(`helpdesk.mail.failed|helpdesk:mail:127.0.0.1:${smtp.port}`);

    // Operators can try again once the cause is fixed.
    smtp.rejectRecipients(() => false);
    await hd.gql('mutation($id: ID!) { retryHelpdeskMail(id: $id) { status } }', { id: failed.helpdeskMail[0].id }, { sub: 'ops-1', roles: ['ops'] });
    await smtp.waitFor((m) => m.to[0] === 'gone@entech.com', 20_000);
  });
});

import { startOpenAiEmulator, startSmtpSink, type OpenAiEmulator, type ReceivedMail, type SmtpSink } from '@switchboard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalRequest } from '../src/approvals/approval-request.js';
import { sendDueReminders } from '../src/approvals/approval-service.js';
import { SUMMARY_PROMPT } from '../src/summary/summary-prompt.js';
import { Helpdesk, Infrastructure, type BusKind, type DbKind } from './support/harness.js';

const infra = new Infrastructure();
afterAll(() => infra.stop());

const MATRIX: [BusKind, DbKind][] = [
  ['in-process', 'sqlite'],
  ['nats', 'postgres'],
];

/** The approve / reject links of every card in an approval e-mail, pointed at the running service. */
function linksIn(mail: ReceivedMail, hd: Helpdesk): { approve: string; reject: string }[] {
  const found = [...mail.html.matchAll(/href="http:\/\/helpdesk\.test(\/helpdesk\/approval\/([0-9a-f]{32})\/approve)"/g)];
  return found.map((m) => ({ approve: hd.url(m[1]!), reject: hd.url(`/helpdesk/approval/${m[2]}/reject`) }));
}

async function decide(url: string, comment?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(comment ? { comment } : {}).toString(),
  });
  return { status: response.status, html: await response.text() };
}

const REQUEST = `mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id state ownerEmail ownerName summary requestedBy } }`;

describe.each(MATRIX)('owner approval (%s bus, %s)', (bus, db) => {
  let hd: Helpdesk;
  let smtp: SmtpSink;
  let openai: OpenAiEmulator;
  let entech: string;
  let mobility: string;
  const ticket = (subject: string, body: Record<string, unknown> = {}, key = entech) =>
    hd.submit(key, { email: 'staff@entech.com', name: 'Staff' }, { kind: 'feature', subject, ...body });
  const ref = async (id: string) => (await hd.gql(`{ ticket(id: "${id}") { reference title } }`)).ticket as { reference: string; title: string };
  const approvalMailFor = (title: string) => smtp.waitFor((m) => m.subject === `Action needed: please review request "${title}"`, 15_000);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    openai = await startOpenAiEmulator();
    hd = await Helpdesk.start(infra, {
      bus,
      db,
      env: {
        HELPDESK_SMTP_URL: smtp.url,
        HELPDESK_MAIL_REPLY_TO: 'gs@support.example',
        HELPDESK_OPENAI_BASE_URL: openai.baseUrl,
        HELPDESK_OPENAI_API_KEY: openai.apiKey,
        HELPDESK_OPENAI_TIMEOUT_MS: '1500',
        HELPDESK_APPROVAL_REMINDER_DAYS: '3',
      },
    });
    entech = await hd.registerClient('ENTECH', { ownerEmail: 'Kris@Enplating.ca', ownerName: 'Kris' });
    mobility = await hd.registerClient('MOBILITY');
  });
  afterAll(async () => {
    await hd?.stop();
    await smtp?.stop();
    await openai?.stop();
  });
  beforeEach(() => {
    openai.mode = 'ok';
  });

  it('refuses without an owner contact or a deployment, with the reason', async () => {
    const noOwner = await ticket('No owner', {}, mobility);
    const refused = await hd.graphql(REQUEST, { input: { ticketIds: [noOwner] } });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(refused.errors?.[0]?.message).toMatch(/^Owner contact not configured for client MOBILITY/);
    const phoned = await hd.gql('mutation { createTicket(input: { kind: "bug", subject: "No label" }) { id } }');
    const noLabel = await hd.graphql(REQUEST, { input: { ticketIds: [phoned.createTicket.id] } });
    expect(noLabel.errors?.[0]?.message).toMatch(/needs a client deployment/);
    const forbidden = await hd.graphql(REQUEST, { input: { ticketIds: [noOwner] } }, { sub: 'fin', roles: ['finance'] });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('drafts an AI summary from the ticket (plain text, capped at 8,000 characters)', async () => {
    const id = await ticket('Big rework', { description: `<p>${'Please rebuild the quoting screen. '.repeat(800)}</p>` });
    const before = openai.requests.length;
    const draft = await hd.gql('query($ids: [ID!]!) { approvalDraft(ticketIds: $ids) { clientLabel ownerEmail ownerName banner summaries { ticket { id } summary unavailable } } }', { ids: [id] });
    expect(draft.approvalDraft).toMatchObject({ clientLabel: 'ENTECH', ownerEmail: 'kris@enplating.ca', ownerName: 'Kris', banner: null });
    expect(draft.approvalDraft.summaries[0]).toMatchObject({ ticket: { id }, unavailable: false });
    expect(draft.approvalDraft.summaries[0].summary).toContain('Impact if approved: not stated');
    const sent = openai.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.model).toBe('gpt-4o-mini');
    expect(sent[0]!.messages[0]).toEqual({ role: 'system', content: SUMMARY_PROMPT });
    expect(sent[0]!.messages[1]!.content.length).toBeLessThanOrEqual(8_000);
    expect(sent[0]!.messages[1]!.content).not.toContain('<p>');
  });

  it('degrades to "summary unavailable" when the AI fails or is too slow', async () => {
    const id = await ticket('AI down');
    openai.mode = 'server-error';
    const failed = await hd.gql('query($ids: [ID!]!) { approvalDraft(ticketIds: $ids) { banner summaries { summary unavailable } } }', { ids: [id] });
    expect(failed.approvalDraft).toEqual({ banner: 'AI summary unavailable — write a quick brief manually', summaries: [{ summary: '', unavailable: true }] });
    openai.mode = 'slow';
    const started = Date.now();
    const slow = await hd.gql('query($ids: [ID!]!) { approvalDraft(ticketIds: $ids) { summaries { unavailable } } }', { ids: [id] });
    expect(slow.approvalDraft.summaries[0].unavailable).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The request still goes out, with no summary.
    const sent = await hd.gql(REQUEST, { input: { ticketIds: [id] } });
    expect(sent.requestApproval[0].summary).toBeNull();
  });

  it('one click: GET only confirms; POST approves once, posts the decision publicly and announces it', async () => {
    const id = await ticket('Add a loyalty discount');
    const { title } = await ref(id);
    const requested = await hd.gql(REQUEST, { input: { ticketIds: [id], personalNote: 'Quote attached: 6 hours.', summaries: [{ ticketId: id, summary: '- Adds a discount\n- 6 hours of work' }] } });
    expect(requested.requestApproval[0]).toMatchObject({ state: 'pending', ownerEmail: 'kris@enplating.ca', ownerName: 'Kris', summary: '- Adds a discount\n- 6 hours of work', requestedBy: 'sam@support.example' });

    const mail = await approvalMailFor(title);
    expect(mail.to).toEqual(['kris@enplating.ca']);
    expect(mail.replyTo).toContain('gs@support.example');
    expect(mail.html).toContain('Quote attached: 6 hours.');
    expect(mail.html).toContain('<li>6 hours of work</li>');
    const [links] = linksIn(mail, hd);
    expect(links).toBeDefined();

    let state = await hd.gql(`{ ticket(id: "${id}") { approvalState approvalPill messages { visibility body } } }`);
    expect(state.ticket).toMatchObject({ approvalState: 'pending', approvalPill: '⏳ Awaiting approval from Kris' });
    expect(state.ticket.messages).toEqual([{ visibility: 'internal', body: expect.stringContaining('Owner approval requested from Kris &lt;kris@enplating.ca&gt;') }]);

    const confirm = await fetch(links!.approve);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain('Approve this request?');
    expect(confirmHtml).toContain('Adds a discount');
    expect((await hd.gql(`{ ticket(id: "${id}") { approvalState } }`)).ticket.approvalState).toBe('pending');

    const done = await decide(links!.approve, 'Go ahead <b>now</b>');
    expect(done.status).toBe(200);
    expect(done.html).toContain('Thanks — your decision is recorded');

    state = await hd.gql(`{ ticket(id: "${id}") { approvalState approvalPill approval { state decidedAt decisionComment turnaroundHours } messages(includeInternal: false) { author { kind email name } body } } }`);
    expect(state.ticket).toMatchObject({ approvalState: 'approved', approvalPill: '✓ Approved by Kris', approval: { state: 'approved', decisionComment: 'Go ahead <b>now</b>' } });
    expect(state.ticket.approval.turnaroundHours).toBeGreaterThanOrEqual(0);
    expect(state.ticket.messages).toEqual([{ author: { kind: 'owner', email: 'kris@enplating.ca', name: 'Kris' }, body: '<p>✓ Approved by Kris<br><i>Go ahead &lt;b&gt;now&lt;/b&gt;</i></p>' }]);
    const events = await hd.sql<{ envelope: string }>(`select envelope from outbox_event where type = 'helpdesk.approval.decided' and envelope like '%${id}%'`);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.envelope).data).toMatchObject({ ticketId: id, decision: 'approved', ownerEmail: 'kris@enplating.ca', clientLabel: 'ENTECH' });

    // The reporter sees the decision in the app, as a reply from support's side.
    const detail = await hd.api('GET', `/api/helpdesk/ticket/${id}`, { key: entech, user: { email: 'staff@entech.com' } });
    expect(detail.body.messages.map((m: any) => m.body)).toEqual(['<p>✓ Approved by Kris<br><i>Go ahead &lt;b&gt;now&lt;/b&gt;</i></p>']);

    // Used: both links of that round are dead, and say so kindly.
    for (const url of [links!.approve, links!.reject]) {
      const again = await fetch(url);
      expect(again.status).toBe(404);
      expect(await again.text()).toContain('This approval link has already been used or is no longer valid');
      expect((await decide(url)).status).toBe(404);
    }
    expect((await hd.gql(`{ ticket(id: "${id}") { approvalState } }`)).ticket.approvalState).toBe('approved');
  });

  it('forged tokens and unknown decisions get the friendly page', async () => {
    for (const path of [`/helpdesk/approval/${'0'.repeat(32)}/approve`, '/helpdesk/approval/not-a-token/reject', `/helpdesk/approval/${'a'.repeat(32)}/maybe`]) {
      const response = await fetch(hd.url(path));
      expect(response.status, path).toBe(404);
      const html = await response.text();
      expect(html).toContain('no longer valid');
      expect(html).toContain('mailto:help@helpdesk.test');
      expect((await decide(hd.url(path))).status).toBe(404);
    }
  });

  it('rejection, and a double click records one decision', async () => {
    const id = await ticket('Rewrite everything');
    const { title } = await ref(id);
    await hd.gql(REQUEST, { input: { ticketIds: [id], summaries: [{ ticketId: id, summary: 'Big' }] } });
    const [links] = linksIn(await approvalMailFor(title), hd);
    const results = await Promise.all([decide(links!.reject, 'Too expensive'), decide(links!.reject), decide(links!.approve)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404, 404]);
    const state = await hd.gql(`{ ticket(id: "${id}") { approvalState messages(includeInternal: false) { body } } }`);
    expect(state.ticket.messages).toHaveLength(1);
    expect(['rejected', 'approved']).toContain(state.ticket.approvalState);
  });

  it('re-engaging kills the old link at once; the new one works; history keeps both rounds', async () => {
    const id = await ticket('Change the logo');
    const { title } = await ref(id);
    await hd.gql(REQUEST, { input: { ticketIds: [id], summaries: [{ ticketId: id, summary: 'v1' }] } });
    const first = await approvalMailFor(title);
    const [oldLinks] = linksIn(first, hd);
    smtp.clear();
    await hd.gql(REQUEST, { input: { ticketIds: [id], summaries: [{ ticketId: id, summary: 'v2' }] } });
    const [newLinks] = linksIn(await approvalMailFor(title), hd);
    expect(newLinks!.approve).not.toBe(oldLinks!.approve);

    expect((await fetch(oldLinks!.approve)).status).toBe(404);
    expect((await decide(oldLinks!.approve)).status).toBe(404);
    expect((await decide(newLinks!.approve)).status).toBe(200);
    const history = await hd.gql(`{ ticket(id: "${id}") { approvalHistory { state summary } } }`);
    expect(history.ticket.approvalHistory).toEqual([{ state: 'approved', summary: 'v2' }, { state: 'superseded', summary: 'v1' }]);
    // Approved tickets may be re-engaged one at a time (the remedy: there is no undo).
    const again = await hd.gql(REQUEST, { input: { ticketIds: [id], summaries: [{ ticketId: id, summary: 'v3' }] } });
    expect(again.requestApproval[0].state).toBe('pending');
  });

  it('bulk: one e-mail with a card and its own links per ticket; the seed\'s hard errors', async () => {
    const a = await ticket('Bulk A');
    const b = await ticket('Bulk B');
    const other = await hd.submit(mobility, { email: 'x@mobility.com' }, { subject: 'Elsewhere' });
    const mixed = await hd.graphql(REQUEST, { input: { ticketIds: [a, other] } });
    expect(mixed.errors?.[0]?.message).toBe('Cannot bulk-engage tickets across different deployments.');

    const requested = await hd.gql(REQUEST, { input: { ticketIds: [a, b], summaries: [{ ticketId: a, summary: 'A' }, { ticketId: b, summary: 'B' }] } });
    expect(requested.requestApproval).toHaveLength(2);
    const mail = await smtp.waitFor((m) => m.subject === 'Action needed: please review 2 requests from ENTECH', 15_000);
    const links = linksIn(mail, hd);
    expect(links).toHaveLength(2);

    const busy = await hd.graphql(REQUEST, { input: { ticketIds: [a, b] } });
    expect(busy.errors?.[0]?.message).toBe('2 of the selected tickets already have a pending or approved engagement. Engage them individually.');

    expect((await decide(links[1]!.reject)).status).toBe(200);
    const states = await hd.gql(`{ a: ticket(id: "${a}") { approvalState } b: ticket(id: "${b}") { approvalState } }`);
    expect(states).toEqual({ a: { approvalState: 'pending' }, b: { approvalState: 'rejected' } });
    const report = await hd.gql('{ approvalReport { clientLabel state count averageTurnaroundHours } }');
    expect(report.approvalReport).toContainEqual(expect.objectContaining({ clientLabel: 'ENTECH', state: 'rejected' }));
  });

  it('one reminder after N days, never two; both the first and the reminder link decide the same round', async () => {
    const id = await ticket('Slow owner');
    const { title } = await ref(id);
    const [request] = (await hd.gql(REQUEST, { input: { ticketIds: [id], summaries: [{ ticketId: id, summary: 'S' }] } })).requestApproval;
    const [firstLinks] = linksIn(await approvalMailFor(title), hd);

    expect(await sendDueReminders(hd.deps)).toBe(0); // not due yet
    await hd.deps.db.em().nativeUpdate(ApprovalRequest, { id: request.id }, { requestedAt: new Date(Date.now() - 4 * 86_400_000) });
    expect(await sendDueReminders(hd.deps)).toBe(1);
    expect(await sendDueReminders(hd.deps)).toBe(0); // single shot
    const reminder = await smtp.waitFor((m) => m.subject === `Reminder: still waiting on your approval — "${title}"`, 15_000);
    const [reminderLinks] = linksIn(reminder, hd);
    expect(reminderLinks!.approve).not.toBe(firstLinks!.approve);
    expect((await fetch(firstLinks!.approve)).status).toBe(200);
    expect((await fetch(reminderLinks!.approve)).status).toBe(200);
    expect((await decide(reminderLinks!.approve)).status).toBe(200);
    expect((await decide(firstLinks!.approve)).status).toBe(404);
    const state = await hd.gql(`{ ticket(id: "${id}") { approval { remindedAt state turnaroundHours } } }`);
    expect(state.ticket.approval.remindedAt).not.toBeNull();
    expect(state.ticket.approval.turnaroundHours).toBeGreaterThanOrEqual(96);
  });
});

import { describe, expect, it } from 'vitest';
import { approvalPill, approvalReport, checkEngagement, decisionMessageHtml, nextApprovalState, reminderDue, turnaroundHours } from '../src/approvals/approval-rules.js';
import { parseActingUser } from '../src/client-api/acting-user.js';
import { buildScope, NO_MATCH, resolveInboxScope } from '../src/client-api/scope.js';
import { checkSubmit } from '../src/client-api/submit-input.js';
import { apiKeyHint, extractApiKey, generateApiKey, hashApiKey, normalizeLabel } from '../src/clients/client-rules.js';
import { wantsAcknowledgement } from '../src/mail/mailer-handlers.js';
import { classifySmtpFailure, decideAfterSend, decideMailWake, mailRetryDelay } from '../src/mail/mail-rules.js';
import { approvalMail } from '../src/mail/templates/approval-mails.js';
import { acknowledgementMail } from '../src/mail/templates/ticket-mails.js';
import { checkAttachments, isPublicMessage } from '../src/messages/message-rules.js';
import { opsFamily, opsLinks, opsPriority, opsSourceKey, opsSubject } from '../src/ops-tickets/ops-rules.js';
import { computeUnreadCount, hasUnread, userReader } from '../src/read-tracking/unread-rules.js';
import { escapeHtml, sanitizeRichText, textToHtml } from '../src/shared/html.js';
import { formatTicketReference } from '../src/shared/sequence.js';
import { APPROVAL_TOKEN_PATTERN, newApprovalToken } from '../src/shared/tokens.js';
import { buildSummaryPrompt, PROMPT_MAX_CHARS, truncateForOpenAI } from '../src/summary/summary-prompt.js';
import { buildTicketValues, stageAfterMessage, ticketTitle } from '../src/tickets/ticket-rules.js';

describe('the seed\'s client tests (§1.10), adapted', () => {
  it('1. identity fields present: label, reporter, company and team travel with the ticket', () => {
    const vals = buildTicketValues({
      kind: 'bug', subject: 'X', descriptionHtml: '<p>b</p>', team: 'Customer Care', clientLabel: 'ENTECH',
      reporterName: 'John Doe', reporterEmail: 'john@entech.com', companyName: 'ENTECH Inc',
    });
    expect(vals.customerEmail).toBe('john@entech.com');
    expect(vals.reporterName).toBe('John Doe');
    expect(vals.clientLabel).toBe('ENTECH');
    expect(vals.reporterCompany).toBe('ENTECH Inc');
    expect(vals.team).toBe('Customer Care');
    expect(vals.title).toContain('X');
    expect(vals.title).toBe('[ENTECH] Bug Report: X');
    expect(vals.description).toBe('<p>b</p>');
  });

  it('2. no e-mail omits the reporter e-mail (never stored empty), and no team omits the team', () => {
    const vals = buildTicketValues({
      kind: 'feature', subject: 'Y', descriptionHtml: '', team: null, clientLabel: '',
      reporterName: 'Jane', reporterEmail: '', companyName: '',
    });
    expect('customerEmail' in vals).toBe(false);
    expect('team' in vals).toBe(false);
    expect('clientLabel' in vals).toBe(false);
    expect('reporterCompany' in vals).toBe(false);
    expect(vals.reporterName).toBe('Jane');
    expect(vals.title).toBe('Feature Request: Y');
  });

  it('3. a regular user\'s scope binds the label and their e-mail', () => {
    expect(buildScope('ENTECH', 'john@entech.com', false)).toEqual({ clientLabel: 'ENTECH', customerEmail: 'john@entech.com' });
  });

  it('4. an admin who broadens to "all" is bound by the label only', () => {
    const scope = buildScope('ENTECH', 'a@entech.com', true);
    expect(scope).toEqual({ clientLabel: 'ENTECH' });
    expect('customerEmail' in scope).toBe(false);
  });

  it('5. an admin is still bounded by the label; missing values fail closed with the sentinel', () => {
    expect(buildScope('ENTECH', 'a@x', true).clientLabel).toBe('ENTECH');
    expect(buildScope('', 'a@x', true)).toEqual({ clientLabel: NO_MATCH });
    expect(buildScope('ENTECH', '', false)).toEqual({ clientLabel: 'ENTECH', customerEmail: NO_MATCH });
    expect(buildScope(null, null, false)).toEqual({ clientLabel: NO_MATCH, customerEmail: NO_MATCH });
    expect(buildScope('ENTECH', ' John@Entech.COM ', false).customerEmail).toBe('john@entech.com');
    expect(normalizeLabel(NO_MATCH)).toBeUndefined();
  });

  it('6. an internal note is not public; a missing flag is not public either (fail-closed)', () => {
    expect(isPublicMessage({ visibility: 'internal' })).toBe(false);
    expect(isPublicMessage({ visibility: 'public' })).toBe(true);
    expect(isPublicMessage({})).toBe(false);
    expect(isPublicMessage({ visibility: null })).toBe(false);
  });

  it('7. unread count: ticket 2 is unread, 1 is read, 3 has no support message → 1', () => {
    const tickets = [
      { id: '1', lastRelevantMessageId: 10 },
      { id: '2', lastRelevantMessageId: 5 },
      { id: '3', lastRelevantMessageId: 0 },
    ];
    expect(computeUnreadCount(tickets, new Map([['1', 10], ['2', 3]]))).toBe(1);
    expect(hasUnread(5, undefined)).toBe(true);
    expect(hasUnread(null, undefined)).toBe(false);
  });
});

describe('inbox scope requests', () => {
  it('only admins may ask for all of their deployment', () => {
    expect(resolveInboxScope('all', false)).toMatchObject({ ok: false });
    expect(resolveInboxScope('all', true)).toEqual({ ok: true, broaden: true });
    expect(resolveInboxScope('mine', true)).toEqual({ ok: true, broaden: false });
  });

  it('readers are per deployment: the same address on two labels reads separately', () => {
    expect(userReader('ENTECH', 'a@b.co')).not.toBe(userReader('MOBILITY', 'a@b.co'));
  });
});

describe('acting user headers', () => {
  it('normalizes the e-mail, decodes a percent-encoded name, reads the admin flag', () => {
    const parsed = parseActingUser({ 'x-helpdesk-user-email': ' John@Entech.COM ', 'x-helpdesk-user-name': 'Ren%C3%A9 D', 'x-helpdesk-user-admin': 'true' });
    expect(parsed).toEqual({ ok: true, user: { email: 'john@entech.com', name: 'René D', isAdmin: true } });
  });

  it('refuses a malformed e-mail or admin flag, naming the header', () => {
    expect(parseActingUser({ 'x-helpdesk-user-email': 'not-an-email' })).toMatchObject({ ok: false, field: 'x-helpdesk-user-email' });
    expect(parseActingUser({ 'x-helpdesk-user-admin': 'maybe' })).toMatchObject({ ok: false, field: 'x-helpdesk-user-admin' });
    expect(parseActingUser({})).toEqual({ ok: true, user: { isAdmin: false } });
  });
});

describe('submission input', () => {
  it('names the field that is wrong', () => {
    expect(checkSubmit({ kind: 'ops', subject: 'x' })).toMatchObject({ ok: false, field: 'kind' });
    expect(checkSubmit({ kind: 'bug' })).toMatchObject({ ok: false, field: 'subject', message: 'subject is required' });
    expect(checkSubmit({ kind: 'bug', subject: 'x', reply_email: 'nope' })).toMatchObject({ ok: false, field: 'reply_email' });
    expect(checkSubmit({ kind: 'bug', subject: 'x', label: 'OTHER' })).toMatchObject({ ok: false, message: 'unknown field label' });
    expect(checkSubmit({ kind: 'bug', subject: 'x', owner_email: 'bad' })).toMatchObject({ ok: false, field: 'owner_email' });
    expect(checkSubmit({ kind: 'bug', subject: 'x', attachments: [{ filename: 'a.png', content_type: 'image/png', size_bytes: -1 }] }))
      .toMatchObject({ ok: false, field: 'attachments[0].size_bytes' });
  });

  it('accepts a full submission; blank owner e-mail means "clear it"', () => {
    const checked = checkSubmit({ kind: 'feature', subject: 'Export', reply_email: 'Ann@X.co', owner_email: '', owner_name: 'Kris' });
    expect(checked).toMatchObject({ ok: true, value: { replyEmail: 'ann@x.co', ownerEmail: null } });
  });
});

describe('client keys', () => {
  it('keys are random, hashed for storage, and read from Bearer or X-Api-Key', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^hdk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyHint(key)).toBe(key.slice(0, 10));
    expect(extractApiKey({ authorization: `Bearer ${key}` })).toBe(key);
    expect(extractApiKey({ 'x-api-key': key })).toBe(key);
    expect(extractApiKey({ authorization: 'Bearer something-else' })).toBeUndefined();
    expect(normalizeLabel(' entech ')).toBe('ENTECH');
    expect(normalizeLabel('bad label')).toBeUndefined();
  });
});

describe('html', () => {
  it('sanitizes rich text: scripts, handlers and javascript: links are gone, formatting stays', () => {
    const html = sanitizeRichText('<p onclick="x()">Hi <b>there</b><script>alert(1)</script> <a href="javascript:alert(1)">x</a> <a href="https://e.co">ok</a><img src="http://t/p.gif"></p>');
    expect(html).not.toMatch(/script|onclick|javascript|img/);
    expect(html).toContain('<b>there</b>');
    expect(html).toContain('<a href="https://e.co" rel="noopener noreferrer nofollow" target="_blank">ok</a>');
  });

  it('escapes typed text and keeps its paragraphs', () => {
    expect(textToHtml('a < b\nline 2\n\n<script>')).toBe('<p>a &lt; b<br>line 2</p><p>&lt;script&gt;</p>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});

describe('tickets', () => {
  it('references are HD- and six digits', () => {
    expect(formatTicketReference(42)).toBe('HD-000042');
  });

  it('a reporter writing on a waiting or solved ticket puts it back in progress; notes and support change nothing', () => {
    expect(stageAfterMessage('waiting', 'customer', 'public')).toBe('in_progress');
    expect(stageAfterMessage('solved', 'customer', 'public')).toBe('in_progress');
    expect(stageAfterMessage('new', 'customer', 'public')).toBe('new');
    expect(stageAfterMessage('waiting', 'support', 'public')).toBe('waiting');
    expect(stageAfterMessage('solved', 'customer', 'internal')).toBe('solved');
    expect(ticketTitle({ kind: 'question', subject: '', clientLabel: null })).toBe('Question: (untitled)');
  });

  it('attachment metadata accepts http(s) links only', () => {
    expect(checkAttachments([{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10, url: 'https://files.example/a.pdf' }])).toMatchObject({ ok: true });
    expect(checkAttachments([{ filename: 'a.pdf', content_type: 'application/pdf', size_bytes: 1, url: 'file:///etc/passwd' }])).toMatchObject({ ok: false, field: 'attachments[0].url' });
  });
});

describe('acknowledgement', () => {
  it('every non-ops ticket with a reporter address gets one', () => {
    expect(wantsAcknowledgement({ channel: 'app', reporterEmail: 'a@b.co' })).toBe(true);
    expect(wantsAcknowledgement({ channel: 'support', reporterEmail: 'a@b.co' })).toBe(true);
    expect(wantsAcknowledgement({ channel: 'app', reporterEmail: null })).toBe(false);
    expect(wantsAcknowledgement({ channel: 'ops', reporterEmail: 'a@b.co' })).toBe(false);
  });

  it('renders the seed\'s subject and the magic link, escaping what the reporter typed', () => {
    const mail = acknowledgementMail({ brand: 'B', reference: 'HD-000007', title: '[ENTECH] Bug Report: <b>x</b>', reporterName: 'Jo', link: 'https://h.example/helpdesk/ticket/T' });
    expect(mail.subject).toBe('We received your request [HD-000007]');
    expect(mail.html).toContain('href="https://h.example/helpdesk/ticket/T"');
    expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(mail.text).toContain('https://h.example/helpdesk/ticket/T');
  });
});

describe('mail outbox rules', () => {
  it('retries transient failures with a doubling delay, capped, and gives up on 5xx or the last attempt', () => {
    expect([1, 2, 3].map((a) => mailRetryDelay(a, 1000))).toEqual([1000, 2000, 4000]);
    expect(mailRetryDelay(30, 1000)).toBe(3_600_000);
    expect(classifySmtpFailure({ responseCode: 550 })).toBe('permanent');
    expect(classifySmtpFailure({ responseCode: 451 })).toBe('transient');
    expect(classifySmtpFailure({ code: 'ECONNREFUSED' })).toBe('transient');
    expect(decideAfterSend(1, 5, { ok: false, kind: 'transient', error: 'x' }, 100)).toEqual({ status: 'pending', retryInMs: 100 });
    expect(decideAfterSend(5, 5, { ok: false, kind: 'transient', error: 'x' }, 100)).toEqual({ status: 'failed' });
    expect(decideAfterSend(1, 5, { ok: false, kind: 'permanent', error: 'x' }, 100)).toEqual({ status: 'failed' });
    expect(decideAfterSend(1, 5, { ok: true }, 100)).toEqual({ status: 'sent' });
  });

  it('waits for a due time and for an attempt in flight, and ignores finished mail', () => {
    const now = Date.now();
    expect(decideMailWake({ status: 'sent', attempts: 1, maxAttempts: 5, updatedAt: new Date() }, now)).toEqual({ action: 'done' });
    expect(decideMailWake({ status: 'pending', attempts: 1, maxAttempts: 5, nextAttemptAt: new Date(now + 5000), updatedAt: new Date() }, now)).toEqual({ action: 'wait', ms: 5000 });
    expect(decideMailWake({ status: 'in_flight', attempts: 1, maxAttempts: 5, updatedAt: new Date(now - 1000) }, now).action).toBe('wait');
    expect(decideMailWake({ status: 'in_flight', attempts: 1, maxAttempts: 5, updatedAt: new Date(now - 10 * 60_000) }, now)).toEqual({ action: 'attempt' });
  });
});

describe('owner approval rules (seed §2.2)', () => {
  const t = (reference: string, clientLabel: string | null, approvalState = 'none') => ({ reference, clientLabel, approvalState });

  it('bulk: one deployment, only tickets in none / rejected; one ticket may always be re-engaged', () => {
    expect(checkEngagement([t('A', 'ENTECH'), t('B', 'MOBILITY')])).toEqual({ ok: false, message: 'Cannot bulk-engage tickets across different deployments.' });
    expect(checkEngagement([t('A', 'ENTECH', 'pending'), t('B', 'ENTECH', 'approved'), t('C', 'ENTECH', 'rejected')]))
      .toEqual({ ok: false, message: '2 of the selected tickets already have a pending or approved engagement. Engage them individually.' });
    expect(checkEngagement([t('A', 'ENTECH', 'rejected'), t('B', 'ENTECH')])).toEqual({ ok: true, clientLabel: 'ENTECH' });
    expect(checkEngagement([t('A', 'ENTECH', 'approved')])).toEqual({ ok: true, clientLabel: 'ENTECH' });
    expect(checkEngagement([t('A', null)])).toMatchObject({ ok: false });
    expect(checkEngagement([])).toMatchObject({ ok: false });
  });

  it('decisions are one-way: approved → approved is refused (a no-op), only pending moves', () => {
    expect(nextApprovalState('pending', 'approve')).toEqual({ ok: true, state: 'approved' });
    expect(nextApprovalState('pending', 'reject')).toEqual({ ok: true, state: 'rejected' });
    expect(nextApprovalState('approved', 'approve')).toEqual({ ok: false });
    expect(nextApprovalState('superseded', 'approve')).toEqual({ ok: false });
  });

  it('chatter text for approve / reject, with and without comment, escaped', () => {
    expect(decisionMessageHtml('approve', 'Kris', 'k@e.ca')).toBe('<p>✓ Approved by Kris</p>');
    expect(decisionMessageHtml('reject', null, 'k@e.ca', 'Too <b>dear</b>')).toBe('<p>✗ Rejected by k@e.ca<br><i>Too &lt;b&gt;dear&lt;/b&gt;</i></p>');
    expect(approvalPill('pending', 'Kris')).toBe('⏳ Awaiting approval from Kris');
    expect(approvalPill('none', 'Kris')).toBeNull();
  });

  it('turnaround, single-shot reminder cut-off, report', () => {
    const sent = new Date('2026-05-01T09:00:00Z');
    expect(turnaroundHours(sent, new Date('2026-05-02T10:30:00Z'))).toBe(25.5);
    expect(turnaroundHours(sent, null)).toBeNull();
    const now = new Date('2026-05-04T09:00:00Z');
    expect(reminderDue({ state: 'pending', requestedAt: sent }, now, 3)).toBe(true);
    expect(reminderDue({ state: 'pending', requestedAt: sent, remindedAt: now }, now, 3)).toBe(false);
    expect(reminderDue({ state: 'pending', requestedAt: sent }, new Date('2026-05-03T09:00:00Z'), 3)).toBe(false);
    expect(reminderDue({ state: 'pending', requestedAt: sent }, now, 0)).toBe(false);
    expect(reminderDue({ state: 'approved', requestedAt: sent }, now, 3)).toBe(false);
    expect(approvalReport([
      { clientLabel: 'ENTECH', state: 'approved', requestedAt: sent, decidedAt: new Date('2026-05-01T11:00:00Z') },
      { clientLabel: 'ENTECH', state: 'approved', requestedAt: sent, decidedAt: new Date('2026-05-01T13:00:00Z') },
      { clientLabel: 'ENTECH', state: 'pending', requestedAt: sent },
    ])).toEqual([
      { clientLabel: 'ENTECH', state: 'approved', count: 2, averageTurnaroundHours: 3 },
      { clientLabel: 'ENTECH', state: 'pending', count: 1, averageTurnaroundHours: null },
    ]);
  });

  it('tokens carry 122 random bits (UUID v4) and are unique', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newApprovalToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(APPROVAL_TOKEN_PATTERN);
    expect([...tokens][0]![12]).toBe('4'); // the version nibble: the other 122 bits are random
  });

  it('the e-mail has one card per ticket with its own links, and the reminder subject', () => {
    const card = (n: number) => ({ reference: `HD-00000${n}`, title: `T${n}`, summary: '- a\n- b', threadHtml: '<p>x</p>', approveUrl: `https://h/a/${n}/approve`, rejectUrl: `https://h/a/${n}/reject` });
    const one = approvalMail({ brand: 'B', ownerName: 'Kris', clientLabel: 'ENTECH', cards: [card(1)], reminder: false });
    expect(one.subject).toBe('Action needed: please review request "T1"');
    expect(one.html).toContain('<details>');
    const bulk = approvalMail({ brand: 'B', ownerName: 'Kris', clientLabel: 'ENTECH', cards: [card(1), card(2)], reminder: false });
    expect(bulk.html).toContain('https://h/a/1/approve');
    expect(bulk.html).toContain('https://h/a/2/reject');
    expect(approvalMail({ brand: 'B', clientLabel: 'ENTECH', cards: [card(1)], reminder: true }).subject).toBe('Reminder: still waiting on your approval — "T1"');
  });
});

describe('summary prompt', () => {
  it('is plain text and capped at 8,000 characters', () => {
    const prompt = buildSummaryPrompt({
      reference: 'HD-000001', title: 'Big', descriptionHtml: `<p>${'word '.repeat(5000)}</p>`, clientLabel: 'ENTECH',
      messages: [{ authorName: 'Jo', authorKind: 'customer', bodyHtml: '<p>more</p>' }],
    });
    expect(prompt.length).toBe(PROMPT_MAX_CHARS);
    expect(prompt).not.toContain('<p>');
    expect(prompt.endsWith('[…truncated]')).toBe(true);
    expect(truncateForOpenAI('short')).toBe('short');
  });
});

describe('ops tickets', () => {
  it('one source per family and subject; dead letters of every domain are one family', () => {
    expect(opsFamily('payments.deadletter')).toBe('deadletter');
    expect(opsFamily('payments.delivery.exhausted')).toBe('payments.delivery.exhausted');
    expect(opsSourceKey('billing.deadletter', 'billing:x:1')).toBe('deadletter|billing:x:1');
    expect(opsPriority('payments.delivery.exhausted')).toBe('high');
    expect(opsPriority('billing.reconciliation.delta')).toBe('normal');
  });

  it('takes the summary line as subject, and links what the event names', () => {
    expect(opsSubject('x.y.z', 's', { summary: 'Line one\nline two' })).toBe('Line one');
    expect(opsSubject('billing.reconciliation.delta', 'acct-1', {})).toBe('billing.reconciliation.delta for acct-1');
    expect(opsLinks({ invoiceId: 'INV-1', customerEmail: 'A@B.co', orderId: 12, paymentId: '' })).toEqual({ customerEmail: 'a@b.co', invoiceId: 'INV-1', orderId: '12' });
  });
});

describe('HELPDESK_ configuration', () => {
  it('has working defaults and names the variable that is wrong', async () => {
    const { loadHelpdeskConfig } = await import('../src/config.js');
    const config = loadHelpdeskConfig({});
    expect(config).toMatchObject({ HELPDESK_PUBLIC_BASE_URL: 'http://localhost:4000', HELPDESK_OPENAI_TIMEOUT_MS: 15_000, HELPDESK_APPROVAL_REMINDER_DAYS: 3 });
    expect(config.HELPDESK_SMTP_URL).toBeUndefined();
    expect(loadHelpdeskConfig({ HELPDESK_PUBLIC_BASE_URL: 'https://help.example.com/' }).HELPDESK_PUBLIC_BASE_URL).toBe('https://help.example.com');
    expect(() => loadHelpdeskConfig({ HELPDESK_SMTP_URL: 'http://mail.example.com' })).toThrow(/HELPDESK_SMTP_URL/);
    expect(() => loadHelpdeskConfig({ HELPDESK_PUBLIC_BASE_URL: 'ftp://x.example' })).toThrow(/HELPDESK_PUBLIC_BASE_URL/);
    expect(() => loadHelpdeskConfig({ HELPDESK_APPROVAL_REMINDER_DAYS: '-1' })).toThrow(/HELPDESK_APPROVAL_REMINDER_DAYS/);
    expect(() => loadHelpdeskConfig({ HELPDESK_SUPPORT_EMAIL: 'nope' })).toThrow(/HELPDESK_SUPPORT_EMAIL/);
  });
});

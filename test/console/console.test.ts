import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOdooVendorEmulator, startOdooWebhookReceiver, startPostgres, eventually, type OdooVendorEmulator, type OdooWebhookReceiver, type PostgresHandle } from '@switchboard/testkit';
import { AppSource } from '../../subgraphs/billing/test/ledger/support/app-source.js';
import { startTestSystem, type TestSystem } from '../support/test-system.js';
import { chromiumAvailable, CHROMIUM_PATH, launchBrowser, type Browser } from './support/browser.js';
import { CONSOLE_DIST, ensureConsoleBuilt } from './support/console-build.js';
import { ADA, APP_CODE, appSourceWithDelta, gql, MARGARET, seedConsoleData, TICKET_SUBJECT } from './support/seed.js';

// CI installs Chromium (.ci/run); a developer machine without it skips, CI never does.
const run = chromiumAvailable() || process.env.CI ? describe : describe.skip;

/**
 * The ops console in a real browser against the real system: four subgraphs and the gateway
 * (serving the built console) on NATS, the console driven by Debian's Chromium through
 * playwright-core. Every page is screenshotted to test-results/console/.
 */
run('ops console in Chromium', () => {
  let postgres: PostgresHandle;
  let source: AppSource;
  let odoo: OdooVendorEmulator;
  let odooWebhook: OdooWebhookReceiver;
  let sb: TestSystem;
  let browser: Browser;
  let page: Page;
  let url: (path: string) => string;

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    ensureConsoleBuilt();
    postgres = await startPostgres();
    source = await AppSource.create(postgres);
    await appSourceWithDelta(source);
    odoo = await startOdooVendorEmulator();
    odooWebhook = await startOdooWebhookReceiver();
    odooWebhook.setDefault({ kind: 'fail', status: 503 });
    sb = await startTestSystem({
      bus: 'nats',
      db: 'sqlite',
      env: {
        GATEWAY_DEV_LOGIN: 'true',
        GATEWAY_CONSOLE_DIR: CONSOLE_DIST,
        BILLING_SOURCE_DSN_NEXACLOUD: source.url,
        BILLING_SOURCE_CURRENCY_NEXACLOUD: 'CAD',
        BILLING_RECONCILIATION_CRON: 'off',
        ODOO_API_BASE_URL: odoo.url,
        ODOO_API_TOKEN: 'odoo-test-token',
        ODOO_PARTNER_ID: '7',
        // WEX in test mode; Odoo's webhook refuses, so the card's delivery runs out of attempts.
        TEST_MODE: 'true',
        WEBHOOK_URL: `${odooWebhook.url}`,
        MAX_DOWNSTREAM: '2',
        DOWNSTREAM_RETRY_BASE_SECONDS: '0.1',
        ACK_TIMEOUT_SECONDS: '0.2',
        DOWNSTREAM_POST_TIMEOUT_SECONDS: '2',
      },
    });
    url = (path) => `${sb.gatewayUrl}/console${path}`;
    await seedConsoleData(sb);
    const proxied = await fetch(`${sb.gatewayUrl}/proxy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _id: 7, x_name: 'PAY-0042', x_studio_vendor_name: 'Hauler & Sons', x_studio_vendor_payment_amount_requested: '150.00', x_studio_hauler_invoice_or_remittance_advice_memo: 'INV-778' }),
    });
    expect(proxied.status).toBe(200);
    // A Clover webhook from an app nobody configured: refused, and recorded with the reason.
    const unsigned = await fetch(`${sb.gatewayUrl}/payment/clover/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: 'APP1', merchants: { M1: [{ objectId: 'P:M1/PAY1', type: 'UPDATE', ts: Date.now() }] } }),
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    await eventually(() => gql(sb, '{ paymentsDeliveries(status: "exhausted") { id } }'), (d) => d.paymentsDeliveries.length > 0, { timeoutMs: 20_000 });
    browser = await launchBrowser();
    page = browser.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await sb?.stop();
    await odoo?.stop();
    await odooWebhook?.stop();
    await source?.close();
    await postgres?.stop();
  });

  it('signs in with the demo-mode dev sign-in', async () => {
    await page.goto(url('/'));
    await page.waitForURL(/\/console\/sign-in$/);
    await expectHeading(page, 'Switchboard ops console');
    await page.getByLabel('Role').selectOption('admin');
    await browser.screenshot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in as admin' }).click();
    await expectHeading(page, 'Customer 360');
    await expect.poll(() => page.locator('.identity').textContent()).toContain('admin@switchboard.local');
  });

  it('opens a Customer 360 that spans all four subgraphs', async () => {
    await page.getByLabel('E-mail or name').fill('ada');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: ADA.name }).click();
    await expectHeading(page, `Customer 360 · ${ADA.name}`);
    const main = page.locator('main');
    // commerce: the profile; payments: the demo charge; billing: account, usage, invoice; helpdesk: the ticket.
    await expect.poll(() => main.textContent()).toContain(ADA.email);
    const text = (await main.textContent()) ?? '';
    expect(text).toContain('$120.00');
    expect(text).toMatch(/BA-\d{6}/);
    expect(text).toContain('21,600 of 18,000 CPU-seconds included');
    expect(text).toMatch(/Draft/i);
    expect(text).toContain(TICKET_SUBJECT);
    await expect.poll(() => page.locator('[role=meter]').count()).toBeGreaterThan(0);
    await browser.screenshot('02-customer-360');
  });

  it('replays a dead letter and sees it succeed', async () => {
    await page.getByRole('link', { name: 'Deliveries & dead letters' }).click();
    await expectHeading(page, 'Deliveries & dead letters');
    const row = page.getByTestId('dead-letter-row').filter({ hasText: 'commerce.customer.upserted' });
    await row.waitFor();
    expect(await row.textContent()).toContain('database unavailable');
    // The WEX card's exhausted delivery is listed with its attempts.
    await page.locator('details.attempts summary').first().click();
    expect(await page.locator('main').textContent()).toMatch(/HTTP 503|503/);
    await browser.screenshot('03-deliveries');

    await row.getByRole('button', { name: /^Replay/ }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Replayed' }).count()).toBe(1);
    expect(await page.getByRole('status').filter({ hasText: 'Replayed' }).textContent()).toContain('replayed');
    await expect.poll(() => page.getByTestId('dead-letter-row').count()).toBe(0);
    // The replay ran billing's real handler: Margaret's account exists now.
    const account = await gql(sb, 'query($email: String!) { billingAccount(email: $email) { name status } }', { email: MARGARET.email });
    expect(account.billingAccount).toEqual({ name: MARGARET.name, status: 'active' });
    await browser.screenshot('04-dead-letter-replayed');
  });

  it('retries an exhausted delivery', async () => {
    odooWebhook.setDefault({ kind: 'ok' });
    odooWebhook.autoAck({});
    odooWebhook.setAckUrl(`${sb.gatewayUrl}/ack`);
    await page.getByRole('button', { name: /^Retry delivery/ }).first().click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'queued again' }).count()).toBe(1);
    await eventually(() => gql(sb, '{ paymentsDeliveries { status } }'), (d) => d.paymentsDeliveries.some((x: { status: string }) => x.status === 'acknowledged'), { timeoutMs: 20_000 });
  });

  it('resolves a reconciliation delta with a note', async () => {
    await page.getByRole('link', { name: 'Billing' }).click();
    await expectHeading(page, 'Billing');
    const item = page.getByTestId('reconciliation-item').filter({ hasText: '2025-02' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Delta');
    await expect.poll(() => page.locator('figure.chart svg rect').count()).toBeGreaterThan(0);
    await browser.screenshot('05-billing');

    await item.getByRole('button', { name: /^Resolve delta/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve reconciliation delta' });
    await dialog.getByRole('button', { name: 'Resolve with note' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Write a note');
    await dialog.getByLabel('Note (required)').fill('App rounded the February flat fee; credited by hand.');
    await browser.screenshot('06-resolve-dialog');
    await dialog.getByRole('button', { name: 'Resolve with note' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'resolved' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('reconciliation-item').filter({ hasText: '2025-02' }).count()).toBe(0);

    const items = await gql(sb, `{ reconciliationItems(filter: { serviceCode: "${APP_CODE}", period: "2025-02" }) { status note resolvedBy } }`);
    expect(items.reconciliationItems).toEqual([{ status: 'resolved', note: 'App rounded the February flat fee; credited by hand.', resolvedBy: 'admin@switchboard.local' }]);
  });

  it('replies to a ticket and sees the unread badge clear', async () => {
    await page.getByRole('link', { name: /^Helpdesk/ }).click();
    await expectHeading(page, 'Helpdesk');
    const inboxItem = page.getByTestId('inbox-item').filter({ hasText: TICKET_SUBJECT });
    await inboxItem.waitFor();
    await expect.poll(() => inboxItem.getByTestId('unread-badge').count()).toBe(1);
    await expect.poll(() => page.getByTestId('nav-unread').textContent()).toMatch(/^1/);
    await browser.screenshot('07-helpdesk-inbox');

    await inboxItem.getByRole('link').click();
    await page.getByLabel('Reply to the reporter').fill('Thanks Ada, a fix ships tomorrow.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Reply sent' }).count()).toBe(1);
    await expect.poll(() => page.locator('.thread').textContent()).toContain('a fix ships tomorrow');
    await page.getByLabel('Internal note').check();
    await page.getByLabel(/Note for the team/).fill('Customer is on the Starter plan.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.locator('.message.internal').count()).toBe(1);
    await browser.screenshot('08-ticket-thread');

    await page.getByRole('link', { name: 'Back to inbox' }).click();
    await inboxItem.waitFor();
    await expect.poll(() => inboxItem.getByTestId('unread-badge').count()).toBe(0);
    await expect.poll(() => page.getByTestId('nav-unread').count()).toBe(0);
    // Unread is per agent: read as the console's agent (dev-admin), it is read now.
    const devLogin = await fetch(`${sb.gatewayUrl}/console/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' });
    const { token } = (await devLogin.json()) as { token: string };
    const asAgent = await fetch(`${sb.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ helpdeskUnreadCount helpdeskInbox(search: "${TICKET_SUBJECT}") { items { unread messages { body internal } } } }` }),
    });
    const ticket = ((await asAgent.json()) as { data: any }).data;
    expect(ticket.helpdeskUnreadCount).toBe(0);
    expect(ticket.helpdeskInbox.items[0].unread).toBe(false);
    const messages = ticket.helpdeskInbox.items[0].messages as { body: string; internal: boolean }[];
    expect(messages.map((m) => [m.internal, /Still broken|a fix ships tomorrow|Starter plan/.exec(m.body)?.[0]])).toEqual([
      [false, 'Still broken'],
      [false, 'a fix ships tomorrow'],
      [true, 'Starter plan'],
    ]);
  });

  it('shows webhook intake and inventory sync, and runs a full sync with a progress bar', async () => {
    await page.getByRole('link', { name: 'Webhook intake' }).click();
    await expectHeading(page, 'Webhook intake');
    await expect.poll(() => page.locator('main').textContent()).toContain('PAY-0042');
    expect(await page.locator('main').textContent()).toContain('unknown_app');
    await browser.screenshot('09-webhook-intake');

    await page.getByRole('link', { name: 'Inventory sync' }).click();
    await expectHeading(page, 'Inventory sync');
    await page.getByRole('button', { name: 'Start full sync' }).click();
    const bar = page.getByRole('progressbar', { name: /Full sync/ });
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 20_000 }).toBe('100');
    await browser.screenshot('10-inventory-sync');
  });

  it('is usable from the keyboard: skip link, focus on each page heading', async () => {
    await page.goto(url('/billing'));
    await expectHeading(page, 'Billing');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null>('document.activeElement?.textContent ?? null')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('location.hash')).toBe('#main');
    // Navigating moves focus to the new page's heading.
    await page.getByRole('link', { name: 'Webhook intake' }).focus();
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Webhook intake');
    await expect.poll(() => page.evaluate<string | null>('document.activeElement?.tagName ?? null')).toBe('H1');
  });

  it('fits a tablet: no sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    for (const [path, name] of [['/customers/ada%40example.com', '11-tablet-customer-360'], ['/deliveries', '12-tablet-deliveries'], ['/helpdesk', '13-tablet-helpdesk']] as const) {
      await page.goto(url(path));
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1'), path).toBe(true);
      await browser.screenshot(name);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('signs out, and refuses a bad pasted token with the gateway’s reason', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/sign-in$/);
    await page.getByLabel('JWT from your identity provider').fill(await sb.token(['ops'], { ttlSeconds: -60 }));
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('expired');
    const forged = (await sb.token(['admin'])).replace(/\.[^.]+$/, '.AAAA');
    await page.getByLabel('JWT from your identity provider').fill(forged);
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid token signature');
    // A good token signs in and returns to the page the session ended on.
    await page.getByLabel('JWT from your identity provider').fill(await sb.token(['support']));
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await expectHeading(page, 'Helpdesk');
    await expect.poll(() => page.locator('.identity').textContent()).toContain('support');
  });

  it('ran without console errors, uncaught exceptions or CSP violations', () => {
    expect(browser.problems).toEqual([]);
  });
});

async function expectHeading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
}

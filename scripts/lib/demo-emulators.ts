/**
 * Demo mode of `pnpm start`: the third parties Switchboard talks to, played by the emulators of
 * packages/testkit on local ports, so that every adapter works on a laptop without accounts —
 * WEX issues virtual cards and "Odoo" receives and ACKs them, the inventory sync pushes to an
 * Odoo vendor API, helpdesk mail lands in an SMTP sink, ticket summaries come from an OpenAI-shaped
 * stub, and Clover's sandbox hosts are local. A variable the caller set always wins: point one
 * adapter at a real system and the others stay emulated.
 */
import {
  startCloverEmulator,
  startOdooVendorEmulator,
  startOdooWebhookReceiver,
  startOpenAiEmulator,
  startSmtpSink,
  startWexEmulator,
} from '@switchboard/testkit';

export interface DemoEmulators {
  /** Settings for the services: only those the caller did not set. */
  env: Record<string, string>;
  /** One line per emulator, for the banner. */
  describe(): string[];
  /** Called once the payments service listens: "Odoo" ACKs each card it receives there. */
  connectPayments(paymentsUrl: string): void;
  stop(): Promise<void>;
}

const DEMO_PROXY_TOKEN = 'switchboard-demo-proxy-token';
const DEMO_ODOO_TOKEN = 'switchboard-demo-odoo-token';
const DEMO_ODOO_PARTNER = 7;

export async function startDemoEmulators(callerEnv: Record<string, string | undefined>): Promise<DemoEmulators> {
  const proxyToken = callerEnv.AUTH_TOKEN ?? DEMO_PROXY_TOKEN;
  const [wex, odooWebhook, odooVendor, clover, smtp, openai] = await Promise.all([
    startWexEmulator(),
    startOdooWebhookReceiver({ authToken: proxyToken }),
    startOdooVendorEmulator({ tokens: { [DEMO_ODOO_TOKEN]: [DEMO_ODOO_PARTNER] } }),
    startCloverEmulator(),
    startSmtpSink(),
    startOpenAiEmulator(),
  ]);
  const stoppers = [wex, odooWebhook, odooVendor, clover, smtp, openai];

  const emulated: Record<string, string> = {
    // Payments — WEX proxy: WEX issues the cards, "Odoo" receives them.
    AUTH_TOKEN: proxyToken,
    WEBHOOK_URL: odooWebhook.url,
    WEX_API_URL: wex.url,
    WEX_USERNAME: wex.username,
    WEX_PASSWORD: wex.password,
    // Payments — Clover sandbox.
    CLOVER_SANDBOX_API_URL: clover.urls.api,
    CLOVER_SANDBOX_ECOMMERCE_URL: clover.urls.ecommerce,
    CLOVER_SANDBOX_OAUTH_URL: clover.urls.ui,
    CLOVER_SANDBOX_TOKEN_URL: clover.urls.token,
    // Commerce — inventory sync to the Odoo vendor API.
    ODOO_API_BASE_URL: odooVendor.url,
    ODOO_API_TOKEN: DEMO_ODOO_TOKEN,
    ODOO_PARTNER_ID: String(DEMO_ODOO_PARTNER),
    // Helpdesk — outgoing mail and summaries.
    HELPDESK_SMTP_URL: smtp.url,
    HELPDESK_OPENAI_BASE_URL: openai.baseUrl,
    HELPDESK_OPENAI_API_KEY: openai.apiKey,
  };
  // A caller's setting wins, per adapter: a half-emulated adapter would only confuse.
  const groups: string[][] = [
    ['WEBHOOK_URL', 'WEX_API_URL', 'WEX_USERNAME', 'WEX_PASSWORD'],
    ['CLOVER_SANDBOX_API_URL', 'CLOVER_SANDBOX_ECOMMERCE_URL', 'CLOVER_SANDBOX_OAUTH_URL', 'CLOVER_SANDBOX_TOKEN_URL'],
    ['ODOO_API_BASE_URL', 'ODOO_API_TOKEN', 'ODOO_PARTNER_ID'],
    ['HELPDESK_SMTP_URL'],
    ['HELPDESK_OPENAI_BASE_URL', 'HELPDESK_OPENAI_API_KEY'],
  ];
  const env: Record<string, string> = {};
  for (const group of groups) {
    if (group.some((name) => callerEnv[name] !== undefined)) continue;
    for (const name of group) env[name] = emulated[name]!;
  }
  if (env.WEBHOOK_URL && callerEnv.AUTH_TOKEN === undefined) env.AUTH_TOKEN = proxyToken;

  return {
    env,
    describe: () =>
      [
        env.WEX_API_URL && `WEX          ${wex.url}  → "Odoo" webhook ${odooWebhook.url} (ACKs each card)`,
        env.WEX_API_URL && `             POST /proxy with X-Proxy-Auth-Token: ${proxyToken}`,
        env.CLOVER_SANDBOX_API_URL && `Clover       ${clover.urls.api} (sandbox API, OAuth ${clover.urls.ui})`,
        env.ODOO_API_BASE_URL && `Odoo vendor  ${odooVendor.url} (inventory sync, partner ${DEMO_ODOO_PARTNER})`,
        env.HELPDESK_SMTP_URL && `SMTP sink    ${smtp.url} (helpdesk mail stays here)`,
        env.HELPDESK_OPENAI_BASE_URL && `OpenAI stub  ${openai.baseUrl} (ticket summaries)`,
      ].filter((line): line is string => !!line),
    connectPayments(paymentsUrl) {
      odooWebhook.setAckUrl(`${paymentsUrl}/ack`);
      odooWebhook.autoAck({ fromAttempt: 1, delayMs: 200 });
    },
    async stop() {
      await Promise.allSettled(stoppers.map((emulator) => emulator.stop()));
    },
  };
}

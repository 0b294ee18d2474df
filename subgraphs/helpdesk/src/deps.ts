import type { ServiceRuntime } from '@switchboard/kit';
import { loadHelpdeskConfig, type HelpdeskConfig } from './config.js';
import { MailOutbox } from './mail/mail-outbox.js';
import { smtpTransport } from './mail/smtp.js';
import { SummaryClient } from './summary/summary-client.js';

/** What the helpdesk's resolvers, routes, handlers and workers get. */
export interface HelpdeskDeps extends ServiceRuntime {
  helpdesk: HelpdeskConfig;
  mail: MailOutbox;
  summaries: SummaryClient;
}

export function createHelpdeskDeps(runtime: ServiceRuntime): HelpdeskDeps {
  const helpdesk = loadHelpdeskConfig(runtime.env);
  const transport = helpdesk.HELPDESK_SMTP_URL ? smtpTransport(helpdesk.HELPDESK_SMTP_URL, helpdesk.HELPDESK_MAIL_TIMEOUT_MS) : undefined;
  return {
    ...runtime,
    helpdesk,
    mail: new MailOutbox(runtime, helpdesk, transport),
    summaries: new SummaryClient(helpdesk, runtime.http),
  };
}

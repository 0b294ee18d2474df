import { classify, countsOf, post, type Flow } from '../support/flow.js';
import type { ChaosSystem } from '../support/system.js';

const LABEL = 'CHAOS';

/**
 * A client app files a ticket with an Idempotency-Key. Helpdesk stores it and announces it; the
 * mailer (off the bus) queues the acknowledgement in the mail outbox, whose worker (off the bus
 * again) sends it over SMTP. The Message-ID is the outbox id, so a re-send after a crash is
 * recognisably the same mail: the effect is one distinct Message-ID per ticket.
 */
export function helpdeskFlow(system: ChaosSystem, runId: string): Flow {
  let apiKey = '';
  const reporterOf = new Map<string, string>();
  return {
    name: 'helpdesk',
    path: 'REST helpdesk → NATS → mailer → mail outbox → NATS → SMTP',
    weight: 2,
    async setup() {
      const data = await system.graphql(
        'helpdesk',
        'mutation($input: RegisterHelpdeskClientInput!) { registerHelpdeskClient(input: $input) { apiKey } }',
        { input: { label: LABEL, name: 'Chaos client app' } },
        ['admin'],
      );
      apiKey = data.registerHelpdeskClient.apiKey;
    },
    next(sequence) {
      const key = `hd-${runId}-${sequence}`;
      const reporter = `${key}@chaos.example.com`;
      reporterOf.set(key, reporter);
      const body = JSON.stringify({ kind: 'bug', subject: `Chaos ticket ${sequence}`, description: `<p>Filed while the system is being broken on purpose (${key}).</p>` });
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${apiKey}`,
        'idempotency-key': key,
        'x-helpdesk-user-email': reporter,
        'x-helpdesk-user-name': 'Chaos Reporter',
      };
      return {
        key,
        send: async () =>
          classify(await post(`${system.service('helpdesk').url}/api/helpdesk/submit`, body, headers), (answer) => answer.json?.ok === true && typeof answer.json.ticket_id === 'string'),
      };
    },
    effects: [
      {
        name: 'ticket (helpdesk DB)',
        async count(keys) {
          return countsOf(
            await system.query('helpdesk', 'select client_request_key as key, count(*) as n from ticket where client_label = $1 and client_request_key = any($2::text[]) group by 1', [LABEL, keys]),
          );
        },
      },
      {
        name: 'acknowledgement in mail outbox (helpdesk DB)',
        async count(keys) {
          return countsOf(
            await system.query(
              'helpdesk',
              `select t.client_request_key as key, count(*) as n from ticket t join outgoing_mail m on m.ticket_id = t.id and m.purpose = 'acknowledgement'
               where t.client_label = $1 and t.client_request_key = any($2::text[]) group by 1`,
              [LABEL, keys],
            ),
          );
        },
      },
      {
        name: 'acknowledgement e-mailed (SMTP, distinct Message-IDs)',
        async count(keys) {
          const keyOf = new Map(keys.map((key) => [reporterOf.get(key)!, key]));
          const ids = new Map<string, Set<string>>();
          for (const mail of system.smtp.messages) {
            for (const to of mail.to) {
              const key = keyOf.get(to);
              if (key) ids.set(key, (ids.get(key) ?? new Set()).add(mail.messageId));
            }
          }
          return new Map([...ids].map(([key, set]) => [key, set.size]));
        },
      },
    ],
    async explain(keys) {
      const rows = await system.query<{ key: string; ticket: string; status: string | null; attempts: number | null; error: string | null }>(
        'helpdesk',
        `select t.client_request_key as key, t.id as ticket, m.status, m.attempts, m.last_error as error from ticket t
         left join outgoing_mail m on m.ticket_id = t.id and m.purpose = 'acknowledgement'
         where t.client_label = $1 and t.client_request_key = any($2::text[])`,
        [LABEL, keys],
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((key) => {
        const row = byKey.get(key);
        if (!row) return `${key}: no ticket`;
        if (!row.status) return `${key}: ticket ${row.ticket}, no acknowledgement queued`;
        return `${key}: ticket ${row.ticket}, acknowledgement ${row.status} after ${row.attempts} attempt(s)${row.error ? `: ${row.error.slice(0, 160)}` : ''}`;
      });
    },
  };
}

import { Tickets0001 } from './0001-tickets.js';
import { TicketDetails0101 } from './0101-ticket-details.js';
import { MessagesAndReadMarkers0102 } from './0102-messages-and-read-markers.js';
import { ClientDeployments0103 } from './0103-client-deployments.js';
import { MailOutbox0104 } from './0104-mail-outbox.js';
import { AccessLinks0105 } from './0105-access-links.js';
import { Approvals0106 } from './0106-approvals.js';
import { OpsSources0107 } from './0107-ops-sources.js';

/** Checked-in migrations, in order; they run on SQLite and PostgreSQL alike. */
export const migrations = [
  { name: 'helpdesk-0001-tickets', class: Tickets0001 },
  { name: 'helpdesk-0101-ticket-details', class: TicketDetails0101 },
  { name: 'helpdesk-0102-messages-and-read-markers', class: MessagesAndReadMarkers0102 },
  { name: 'helpdesk-0103-client-deployments', class: ClientDeployments0103 },
  { name: 'helpdesk-0104-mail-outbox', class: MailOutbox0104 },
  { name: 'helpdesk-0105-access-links', class: AccessLinks0105 },
  { name: 'helpdesk-0106-approvals', class: Approvals0106 },
  { name: 'helpdesk-0107-ops-sources', class: OpsSources0107 },
];

/** Payloads of the events helpdesk publishes (subject: the ticket id). */

export interface TicketCreated {
  ticketId: string;
  reference: string;
  kind: string;
  channel: string;
  title: string;
  clientLabel: string | null;
  reporterEmail: string | null;
  reporterName: string | null;
  priority: string;
}

export interface TicketReplied {
  ticketId: string;
  reference: string;
  messageId: number;
  authorKind: string;
  visibility: 'public' | 'internal';
  clientLabel: string | null;
}

export interface ApprovalDecided {
  ticketId: string;
  reference: string;
  approvalId: string;
  decision: 'approved' | 'rejected';
  ownerEmail: string;
  ownerName: string | null;
  clientLabel: string;
  requestedAt: string;
  decidedAt: string;
  turnaroundHours: number;
}

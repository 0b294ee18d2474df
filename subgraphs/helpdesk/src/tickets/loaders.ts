import { groupByKeys, type GraphQLContext } from '@switchboard/kit';
import { ApprovalRequest } from '../approvals/approval-request.js';
import { TicketMessage } from '../messages/ticket-message.js';
import { OpsSource } from '../ops-tickets/ops-source.js';
import { seenByReaders } from '../read-tracking/read-markers.js';
import { Ticket } from './ticket.js';

/** Request-scoped DataLoaders: one query per request and relation, never one per ticket. */

export function ticketLoader(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket | null>('helpdesk.ticketById', async (ids) => {
    const rows = await ctx.em.find(Ticket, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export function ticketsByCustomer(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket[]>('helpdesk.ticketsByCustomer', async (emails) => {
    const rows = await ctx.em.find(Ticket, { customerEmail: { $in: [...emails] } }, { orderBy: { createdAt: 'desc' } });
    return groupByKeys(emails, rows, (row) => row.customerEmail!);
  });
}

export function ticketsByOrder(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket[]>('helpdesk.ticketsByOrder', async (ids) => {
    const rows = await ctx.em.find(Ticket, { orderId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc' } });
    return groupByKeys(ids, rows, (row) => row.orderId!);
  });
}

export function ticketsByInvoice(ctx: GraphQLContext) {
  return ctx.loader<string, Ticket[]>('helpdesk.ticketsByInvoice', async (ids) => {
    const rows = await ctx.em.find(Ticket, { invoiceId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc' } });
    return groupByKeys(ids, rows, (row) => row.invoiceId!);
  });
}

export function messagesByTicket(ctx: GraphQLContext) {
  return ctx.loader<string, TicketMessage[]>('helpdesk.messagesByTicket', async (ids) => {
    const rows = await ctx.em.find(TicketMessage, { ticketId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
    return groupByKeys(ids, rows, (row) => row.ticketId);
  });
}

export function approvalsByTicket(ctx: GraphQLContext) {
  return ctx.loader<string, ApprovalRequest[]>('helpdesk.approvalsByTicket', async (ids) => {
    const rows = await ctx.em.find(ApprovalRequest, { ticketId: { $in: [...ids] } }, { orderBy: { requestedAt: 'desc', id: 'desc' } });
    return groupByKeys(ids, rows, (row) => row.ticketId);
  });
}

export function opsSourceByTicket(ctx: GraphQLContext) {
  return ctx.loader<string, OpsSource | null>('helpdesk.opsSourceByTicket', async (ids) => {
    const rows = await ctx.em.find(OpsSource, { ticketId: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.ticketId, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** How far `reader` has read `ticketId` (0 when never), batched over readers and tickets. */
export function readMarks(ctx: GraphQLContext) {
  return ctx.loader<string, number>('helpdesk.readMarks', async (keys) => {
    const pairs = keys.map((key) => {
      const [reader, ticketId] = key.split('\u0000') as [string, string];
      return { reader, ticketId };
    });
    const seen = await seenByReaders(ctx.em, pairs);
    return keys.map((key) => seen.get(key) ?? 0);
  });
}

export function markKey(reader: string, ticketId: string): string {
  return `${reader}\u0000${ticketId}`;
}

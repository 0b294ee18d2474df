import { badInput, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { HelpdeskDeps } from '../deps.js';
import { OutgoingMail, type MailStatus } from './outgoing-mail.js';

const STATUSES: MailStatus[] = ['pending', 'in_flight', 'sent', 'failed', 'cancelled'];

@Resolver(() => OutgoingMail)
export class MailResolver {
  @Authorized('support', 'ops')
  @Query(() => [OutgoingMail], { description: 'The helpdesk mail outbox, newest first.' })
  async helpdeskMail(
    @Ctx() ctx: GraphQLContext<HelpdeskDeps>,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('ticketId', () => ID, { nullable: true }) ticketId?: string,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
  ): Promise<OutgoingMail[]> {
    if (status && !STATUSES.includes(status as MailStatus)) throw badInput(`status must be one of ${STATUSES.join(', ')}`, 'status');
    return ctx.em.find(
      OutgoingMail,
      { ...(status ? { status: status as MailStatus } : {}), ...(ticketId ? { ticketId } : {}) },
      { orderBy: { createdAt: 'desc', id: 'asc' }, limit: Math.min(Math.max(limit, 1), 500) },
    );
  }

  @Authorized('ops')
  @Mutation(() => OutgoingMail, { description: 'Another round of attempts for a failed mail.' })
  async retryHelpdeskMail(@Ctx() ctx: GraphQLContext<HelpdeskDeps>, @Arg('id', () => ID) id: string): Promise<OutgoingMail> {
    try {
      return await ctx.deps.mail.retry(id);
    } catch (error) {
      throw badInput((error as Error).message, 'id');
    }
  }
}

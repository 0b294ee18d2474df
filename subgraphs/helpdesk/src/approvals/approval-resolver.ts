import { badInput, type GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Mutation, ObjectType, Query, Resolver, Root, Int } from 'type-graphql';
import type { HelpdeskDeps } from '../deps.js';
import { SUMMARY_UNAVAILABLE } from '../summary/summary-prompt.js';
import { Ticket } from '../tickets/ticket.js';
import { ApprovalRequest } from './approval-request.js';
import { approvalReport, turnaroundHours } from './approval-rules.js';
import { ApprovalRuleError, draftSummaries, loadEngagement, requestApproval } from './approval-service.js';

type Ctx = GraphQLContext<HelpdeskDeps>;

@ObjectType('ApprovalSummaryDraft')
class SummaryDraftView {
  @Field(() => Ticket) ticket!: Ticket;
  @Field(() => String, { description: 'Edit before sending; read-only once sent.' }) summary!: string;
  @Field(() => Boolean) unavailable!: boolean;
}

@ObjectType('ApprovalDraft', { description: 'What "Request owner approval" will send, before it is sent (the seed\'s wizard).' })
class ApprovalDraftView {
  @Field(() => String) clientLabel!: string;
  @Field(() => String) ownerEmail!: string;
  @Field(() => String, { nullable: true }) ownerName?: string | null;
  @Field(() => [SummaryDraftView]) summaries!: SummaryDraftView[];
  @Field(() => String, { nullable: true, description: 'Shown when any AI summary failed.' }) banner?: string | null;
}

@InputType()
class TicketSummaryInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => String) summary!: string;
}

@InputType()
class RequestApprovalInput {
  @Field(() => [ID], { description: 'One ticket, or several of one deployment that have no pending or approved round.' }) ticketIds!: string[];
  @Field(() => String, { nullable: true }) personalNote?: string | null;
  @Field(() => [TicketSummaryInput], { nullable: true, description: 'Summaries as edited; tickets left out get an AI summary (or none).' })
  summaries?: TicketSummaryInput[] | null;
}

@ObjectType('ApprovalReportRow')
class ApprovalReportRowView {
  @Field(() => String) clientLabel!: string;
  @Field(() => String) state!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true }) averageTurnaroundHours?: number | null;
}

function ruleError(error: unknown): never {
  if (error instanceof ApprovalRuleError) throw badInput(error.message, error.field);
  throw error;
}

const MAX_BULK = 50;

@Resolver(() => ApprovalRequest)
export class ApprovalResolver {
  @Authorized('support')
  @Query(() => ApprovalDraftView, { description: 'Owner contact and AI summaries for an approval request, for the agent to review.' })
  async approvalDraft(@Ctx() ctx: Ctx, @Arg('ticketIds', () => [ID]) ticketIds: string[]): Promise<ApprovalDraftView> {
    if (ticketIds.length > MAX_BULK) throw badInput(`at most ${MAX_BULK} tickets at once`, 'ticketIds');
    const { tickets, client } = await loadEngagement(ctx.em, ticketIds).catch(ruleError);
    const drafts = await draftSummaries(ctx.deps, ctx.em, tickets);
    return Object.assign(new ApprovalDraftView(), {
      clientLabel: client.label,
      ownerEmail: client.ownerEmail,
      ownerName: client.ownerName,
      summaries: drafts.map((d) => Object.assign(new SummaryDraftView(), d)),
      banner: drafts.some((d) => d.unavailable) ? SUMMARY_UNAVAILABLE : null,
    });
  }

  @Authorized('support')
  @Mutation(() => [ApprovalRequest], { description: 'E-mail the client\'s owner one-click approve / reject links (re-engaging supersedes a pending round).' })
  async requestApproval(@Ctx() ctx: Ctx, @Arg('input', () => RequestApprovalInput) input: RequestApprovalInput): Promise<ApprovalRequest[]> {
    if (input.ticketIds.length > MAX_BULK) throw badInput(`at most ${MAX_BULK} tickets at once`, 'ticketIds');
    if ((input.personalNote?.length ?? 0) > 4_000) throw badInput('personalNote is longer than 4000 characters', 'personalNote');
    for (const s of input.summaries ?? []) {
      if (s.summary.length > 4_000) throw badInput(`summary for ${s.ticketId} is longer than 4000 characters`, 'summaries');
    }
    return requestApproval(ctx.deps, {
      ticketIds: input.ticketIds,
      personalNote: input.personalNote,
      summaries: input.summaries ?? undefined,
      requestedBy: ctx.identity!.email ?? ctx.identity!.sub,
    }).catch(ruleError);
  }

  @Authorized('support')
  @Query(() => [ApprovalReportRowView], { description: 'Owner engagements by deployment and state: count and average turnaround (hours).' })
  async approvalReport(@Ctx() ctx: Ctx): Promise<ApprovalReportRowView[]> {
    const rows = await ctx.em.find(ApprovalRequest, { state: { $ne: 'superseded' } }, { fields: ['clientLabel', 'state', 'requestedAt', 'decidedAt'] });
    return approvalReport(rows).map((r) => Object.assign(new ApprovalReportRowView(), r));
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Hours from request to decision.' })
  turnaroundHours(@Root() request: ApprovalRequest): number | null {
    return turnaroundHours(request.requestedAt, request.decidedAt);
  }
}

import type { FilterQuery } from '@mikro-orm/core';
import type { GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { ledgerOf } from '../ledger/ledger-module.js';
import { graphqlCall } from '../shared/graphql-errors.js';
import { InputError } from '../shared/validation.js';
import { IMPORT_KINDS, ImportRun, type ImportKind } from './import-run.js';
import type { RunSummary } from './run-summary.js';

@ObjectType('BillingRunCount')
export class RunCountView {
  @Field(() => String) kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('BillingRunNote')
export class RunNoteView {
  @Field(() => String) kind!: string;
  @Field(() => String) id!: string;
  @Field(() => String) reason!: string;
}

@ObjectType('BillingRunFigure')
export class RunFigureView {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@ObjectType('BillingRunSummary', { description: 'What a run did: created / updated / unchanged per kind, skipped (with reason), failed (with error), to review.' })
export class RunSummaryView {
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => [RunCountView]) created!: RunCountView[];
  @Field(() => [RunCountView]) updated!: RunCountView[];
  @Field(() => [RunCountView]) unchanged!: RunCountView[];
  @Field(() => [RunNoteView]) skipped!: RunNoteView[];
  @Field(() => [RunNoteView], { description: '`reason` holds the error.' }) failed!: RunNoteView[];
  @Field(() => [RunNoteView], { description: 'Booked or refused, but a person should look.' }) review!: RunNoteView[];
  @Field(() => Int, { description: 'Notes left out of the lists (each list keeps 1000).' }) truncated!: number;
  @Field(() => [RunFigureView]) figures!: RunFigureView[];

  static of(json: string | null | undefined): RunSummaryView | null {
    if (!json) return null;
    const s = JSON.parse(json) as RunSummary;
    const counts = (bucket: Record<string, number>) => Object.entries(bucket).map(([kind, count]) => Object.assign(new RunCountView(), { kind, count }));
    const notes = (list: RunSummary['skipped']) => list.map((n) => Object.assign(new RunNoteView(), n));
    return Object.assign(new RunSummaryView(), {
      dryRun: s.dryRun, created: counts(s.created), updated: counts(s.updated), unchanged: counts(s.unchanged),
      skipped: notes(s.skipped), failed: notes(s.failed), review: notes(s.review), truncated: s.truncated,
      figures: Object.entries(s.figures).map(([name, value]) => Object.assign(new RunFigureView(), { name, value })),
    });
  }
}

@ObjectType('ImportRun', { description: 'One importer run and its progress; the summary once it ends.' })
export class ImportRunView {
  @Field(() => ID) id!: string;
  @Field(() => String) serviceCode!: string;
  @Field(() => String, { description: '`catalog` (users, plans, subscriptions), `invoices` (into the ledger) or `post` (bulk-post drafts).' }) kind!: string;
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => String, { description: '`running`, `succeeded`, `failed` or `cancelled`.' }) status!: string;
  @Field(() => String, { description: '`manual` or `schedule`.' }) trigger!: string;
  @Field(() => String) requestedBy!: string;
  @Field(() => Int, { nullable: true }) total?: number | null;
  @Field(() => Int) processed!: number;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => String, { description: 'JSON of the options (post, since).' }) options!: string;
  @Field(() => RunSummaryView, { nullable: true }) summary?: RunSummaryView | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  static of(run: ImportRun): ImportRunView {
    return Object.assign(new ImportRunView(), {
      id: run.id, serviceCode: run.serviceCode, kind: run.kind, dryRun: run.dryRun, status: run.status, trigger: run.trigger,
      requestedBy: run.requestedBy, total: run.total ?? null, processed: run.processed, error: run.error ?? null, options: run.options,
      summary: RunSummaryView.of(run.summary), startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
    });
  }
}

const who = (ctx: GraphQLContext) => ctx.identity?.email ?? ctx.identity?.sub ?? 'unknown';

@Resolver(() => ImportRunView)
export class ImportResolver {
  @Authorized('finance')
  @Mutation(() => ImportRunView, { description: "Import an app's users, plans and subscriptions (shadow) from its database. Dry run by default." })
  importBillingCatalog(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String) serviceCode: string,
    @Arg('dryRun', () => Boolean, { defaultValue: true }) dryRun: boolean,
  ): Promise<ImportRunView> {
    return graphqlCall(async () => ImportRunView.of(await ledgerOf(ctx.deps).imports.start({ serviceCode, kind: 'catalog', dryRun, requestedBy: who(ctx), trigger: 'manual' })));
  }

  @Authorized('finance')
  @Mutation(() => ImportRunView, { description: "Ingest an app's invoices into the ledger as drafts (post: true posts the clean ones). Dry run by default." })
  ingestBillingInvoices(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String) serviceCode: string,
    @Arg('dryRun', () => Boolean, { defaultValue: true }) dryRun: boolean,
    @Arg('post', () => Boolean, { defaultValue: false }) post: boolean,
    @Arg('since', () => Date, { nullable: true, description: 'Only invoices created since.' }) since?: Date,
  ): Promise<ImportRunView> {
    return graphqlCall(async () => ImportRunView.of(await ledgerOf(ctx.deps).imports.start({ serviceCode, kind: 'invoices', dryRun, post, since: since ?? null, requestedBy: who(ctx), trigger: 'manual' })));
  }

  @Authorized('finance')
  @Mutation(() => ImportRunView, { description: 'Post every clean draft ingested from the app (after review), with the payments its source reported.' })
  postIngestedInvoices(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String) serviceCode: string,
    @Arg('dryRun', () => Boolean, { defaultValue: false }) dryRun: boolean,
  ): Promise<ImportRunView> {
    return graphqlCall(async () => ImportRunView.of(await ledgerOf(ctx.deps).imports.start({ serviceCode, kind: 'post', dryRun, requestedBy: who(ctx), trigger: 'manual' })));
  }

  @Authorized('finance', 'ops')
  @Query(() => [ImportRunView], { description: 'Importer runs, newest first.' })
  importRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('serviceCode', () => String, { nullable: true }) serviceCode?: string,
    @Arg('kind', () => String, { nullable: true }) kind?: string,
    @Arg('limit', () => Int, { defaultValue: 20 }) limit = 20,
  ): Promise<ImportRunView[]> {
    return graphqlCall(async () => {
      const where: FilterQuery<ImportRun> = {};
      if (serviceCode) where.serviceCode = serviceCode.trim().toLowerCase();
      if (kind) {
        if (!IMPORT_KINDS.includes(kind as ImportKind)) throw new InputError('kind', `must be one of ${IMPORT_KINDS.join(', ')}`);
        where.kind = kind as ImportKind;
      }
      const rows = await ctx.em.find(ImportRun, where, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 200) });
      return rows.map(ImportRunView.of);
    });
  }

  @Authorized('finance', 'ops')
  @Query(() => ImportRunView, { nullable: true })
  async importRun(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ImportRunView | null> {
    const run = await ctx.em.findOne(ImportRun, { id });
    return run ? ImportRunView.of(run) : null;
  }
}

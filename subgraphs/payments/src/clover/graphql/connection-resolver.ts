import type { GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CloverConnection } from '../connections/clover-connection.js';
import type { CloverDeps } from '../module.js';
import { CloverTerminal } from '../terminals/clover-terminal.js';
import { guarded } from './errors.js';
import {
  CloverConnectionTestType,
  CloverConnectionType,
  CloverConnectUrlType,
  CreateCloverConnectionInput,
  UpdateCloverConnectionInput,
} from './types.js';

type Ctx = GraphQLContext<CloverDeps>;

/** Merchant connections: who may see them (ops, finance) and who may change them (ops). */
@Resolver(() => CloverConnectionType)
export class CloverConnectionResolver {
  @Authorized('ops', 'finance')
  @Query(() => [CloverConnectionType])
  async cloverConnections(@Ctx() ctx: Ctx): Promise<CloverConnectionType[]> {
    return (await ctx.deps.clover.connections.list()).map(CloverConnectionType.of);
  }

  @Authorized('ops', 'finance')
  @Query(() => CloverConnectionType, { nullable: true })
  async cloverConnection(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<CloverConnectionType | null> {
    const row = await ctx.em.findOne(CloverConnection, { id });
    return row ? CloverConnectionType.of(row) : null;
  }

  @FieldResolver(() => [CloverTerminal], { description: 'Devices still listed by Clover, default first.' })
  terminals(@Root() connection: CloverConnectionType, @Ctx() ctx: Ctx): Promise<CloverTerminal[]> {
    return ctx
      .loader<string, CloverTerminal[]>('clover.terminalsByConnection', async (ids) => {
        const rows = await ctx.em.find(CloverTerminal, { connectionId: { $in: [...ids] }, removedAt: null }, { orderBy: { isDefault: 'desc', name: 'asc' } });
        return ids.map((id) => rows.filter((row) => row.connectionId === id));
      })
      .load(connection.id);
  }

  @FieldResolver(() => CloverTerminal, { nullable: true })
  async defaultTerminal(@Root() connection: CloverConnectionType, @Ctx() ctx: Ctx): Promise<CloverTerminal | null> {
    return (await this.terminals(connection, ctx)).find((terminal) => terminal.isDefault) ?? null;
  }

  @Authorized('ops')
  @Mutation(() => CloverConnectionType, { description: 'Secrets are sealed (AES-256-GCM) before they are stored.' })
  createCloverConnection(@Ctx() ctx: Ctx, @Arg('input', () => CreateCloverConnectionInput) input: CreateCloverConnectionInput): Promise<CloverConnectionType> {
    return guarded(async () => CloverConnectionType.of(await ctx.deps.clover.connections.create(input)));
  }

  @Authorized('ops')
  @Mutation(() => CloverConnectionType)
  updateCloverConnection(
    @Ctx() ctx: Ctx,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCloverConnectionInput) input: UpdateCloverConnectionInput,
  ): Promise<CloverConnectionType> {
    return guarded(async () => CloverConnectionType.of(await ctx.deps.clover.connections.update(id, input)));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => CloverConnectionType, { description: 'Card processing fee added to amounts collected through this connection.' })
  setCloverSurcharge(
    @Ctx() ctx: Ctx,
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('percent', () => String) percent: string,
    @Arg('fixedAmount', () => String, { defaultValue: '0' }) fixedAmount: string,
  ): Promise<CloverConnectionType> {
    return guarded(async () => CloverConnectionType.of(await ctx.deps.clover.connections.setSurcharge(connectionId, percent, fixedAmount)));
  }

  @Authorized('ops')
  @Mutation(() => CloverConnectUrlType, { description: 'OAuth v2 authorize URL (Clover UI host) with a signed state valid for an hour.' })
  cloverConnectUrl(
    @Ctx() ctx: Ctx,
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('customer', () => String, { nullable: true }) customer?: string,
  ): Promise<CloverConnectUrlType> {
    return guarded(async () => Object.assign(new CloverConnectUrlType(), await ctx.deps.clover.oauth.connectUrl(connectionId, customer ?? undefined)));
  }

  @Authorized('ops')
  @Mutation(() => CloverConnectionType, { description: 'Forgets the OAuth tokens; the merchant must authorize again.' })
  disconnectCloverConnection(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<CloverConnectionType> {
    return guarded(async () => CloverConnectionType.of(await ctx.deps.clover.connections.disconnect(id)));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => CloverConnectionTestType, { description: 'Reads the merchant from the Platform API with the best credential available.' })
  testCloverConnection(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<CloverConnectionTestType> {
    return guarded(async () => Object.assign(new CloverConnectionTestType(), await ctx.deps.clover.connections.test(id)));
  }

  @Authorized('ops')
  @Mutation(() => Int, { description: 'Re-seals connection secrets still sealed with an older key; returns how many connections changed.' })
  rotateCloverSecrets(@Ctx() ctx: Ctx): Promise<number> {
    return guarded(() => ctx.deps.clover.connections.rotateSecrets());
  }
}

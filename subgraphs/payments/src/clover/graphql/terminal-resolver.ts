import type { GraphQLContext } from '@switchboard/kit';
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { CloverDeps } from '../module.js';
import { CloverTerminal } from '../terminals/clover-terminal.js';
import { guarded } from './errors.js';
import { CloverTerminalPingType } from './types.js';

type Ctx = GraphQLContext<CloverDeps>;

@Resolver(() => CloverTerminal)
export class CloverTerminalResolver {
  @Authorized('ops', 'finance')
  @Query(() => [CloverTerminal])
  cloverTerminals(
    @Ctx() ctx: Ctx,
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('includeRemoved', () => Boolean, { defaultValue: false }) includeRemoved: boolean,
  ): Promise<CloverTerminal[]> {
    return guarded(() => ctx.deps.clover.terminals.list(connectionId, includeRemoved));
  }

  @Authorized('ops')
  @Mutation(() => [CloverTerminal], { description: "Mirrors the merchant's devices from Clover; renames are kept." })
  syncCloverTerminals(@Ctx() ctx: Ctx, @Arg('connectionId', () => ID) connectionId: string): Promise<CloverTerminal[]> {
    return guarded(() => ctx.deps.clover.terminals.sync(connectionId));
  }

  @Authorized('ops')
  @Mutation(() => CloverTerminal)
  setDefaultCloverTerminal(@Ctx() ctx: Ctx, @Arg('terminalId', () => ID) terminalId: string): Promise<CloverTerminal> {
    return guarded(() => ctx.deps.clover.terminals.setDefault(terminalId));
  }

  @Authorized('ops')
  @Mutation(() => CloverTerminal)
  renameCloverTerminal(@Ctx() ctx: Ctx, @Arg('terminalId', () => ID) terminalId: string, @Arg('name', () => String) name: string): Promise<CloverTerminal> {
    return guarded(() => ctx.deps.clover.terminals.rename(terminalId, name));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => CloverTerminalPingType, { description: 'Is Cloud Pay Display reachable on the device?' })
  pingCloverTerminal(@Ctx() ctx: Ctx, @Arg('terminalId', () => ID) terminalId: string): Promise<CloverTerminalPingType> {
    return guarded(async () => Object.assign(new CloverTerminalPingType(), await ctx.deps.clover.terminals.ping(terminalId)));
  }

  @Authorized('ops', 'finance')
  @Mutation(() => Boolean, { description: 'Shows the welcome screen on the device.' })
  showCloverWelcomeScreen(@Ctx() ctx: Ctx, @Arg('terminalId', () => ID) terminalId: string): Promise<boolean> {
    return guarded(async () => {
      await ctx.deps.clover.terminals.showWelcome(terminalId);
      return true;
    });
  }
}

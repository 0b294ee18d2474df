import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { subgraphSchema, type SubgraphDefinition } from '@switchboard/kit';
import { parse } from 'graphql';

export const SUPERGRAPH_FILE = new URL('../../supergraph.graphql', import.meta.url);

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/** Each subgraph's SDL, built from its code alone (no server, no database). */
export async function subgraphSdls(definitions: SubgraphDefinition<any>[]): Promise<SubgraphSdl[]> {
  return Promise.all(
    definitions.map(async (definition) => ({
      name: definition.name,
      url: `http://localhost:${definition.defaultPort}/graphql`,
      sdl: printSubgraphSchema(await subgraphSchema(definition)),
    })),
  );
}

export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

export type SupergraphCheck = { ok: true } | { ok: false; reason: string };

/** Is the checked-in supergraph exactly what the subgraphs compose to now? */
export async function checkSupergraph(subgraphs: SubgraphSdl[], file: URL | string = SUPERGRAPH_FILE): Promise<SupergraphCheck> {
  const expected = composeSupergraph(subgraphs);
  let actual: string;
  try {
    actual = await readFile(file, 'utf8');
  } catch {
    return { ok: false, reason: 'supergraph.graphql is missing: run `pnpm compose`' };
  }
  if (actual !== expected) {
    return { ok: false, reason: 'supergraph.graphql is stale (a subgraph schema changed): run `pnpm compose` and commit it' };
  }
  return { ok: true };
}

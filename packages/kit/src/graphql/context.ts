import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { Identity } from '../security/identity.js';

/** Per-request GraphQL context every subgraph resolver receives. */
export interface GraphQLContext<Deps = unknown> {
  identity?: Identity;
  requestId: string;
  /** Request-scoped entity manager (its own identity map). */
  em: EntityManager;
  logger: Logger;
  deps: Deps;
  /**
   * A request-scoped DataLoader per key: entity references and per-parent fields batch into one
   * query per request instead of one per object.
   */
  loader<K, V>(key: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>): DataLoader<K, V>;
}

export function loaderCache(): GraphQLContext['loader'] {
  const loaders = new Map<string, DataLoader<any, any>>();
  return (key, batch) => {
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader(batch);
      loaders.set(key, loader);
    }
    return loader;
  };
}

/** Group rows by a key in the order DataLoader asked for them. */
export function groupByKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

import { Kind, parse, type ConstValueNode } from 'graphql';

/** Subgraph name → routing URL, read from the `join__Graph` enum of a supergraph SDL. */
export function subgraphRoutingUrls(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  const document = parse(supergraphSdl, { noLocation: true });
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const argument = (name: string) => {
        const node = directive?.arguments?.find((a) => a.name.value === name)?.value as ConstValueNode | undefined;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const name = argument('name');
      const url = argument('url');
      if (name && url) urls[name] = url;
    }
  }
  return urls;
}

/** `http://host:4001/graphql` → `http://host:4001`: the origin that also serves the REST adapters. */
export function baseOf(url: string): string {
  return new URL(url).origin;
}

/** The GraphQL endpoint for a configured base URL (`PAYMENTS_URL=http://127.0.0.1:4001`). */
export function graphqlEndpoint(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/graphql') ? trimmed : `${trimmed}/graphql`;
}

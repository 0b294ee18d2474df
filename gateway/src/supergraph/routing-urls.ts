import { Kind, parse, type ConstValueNode } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../config.js';

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

/** The URL the gateway calls for a subgraph: the `<NAME>_URL` override, else the supergraph's. */
export function subgraphEndpoint(
  name: string,
  routingUrl: string | undefined,
  overrides: Partial<Record<SubgraphName, string>>,
): string {
  const base = overrides[name.toLowerCase() as SubgraphName];
  return base ? graphqlEndpoint(base) : (routingUrl ?? '');
}

/** REST upstreams per subgraph: the `<NAME>_URL` override, else the origin of the routing URL. */
export function restUpstreams(
  supergraphSdl: string,
  overrides: Partial<Record<SubgraphName, string>>,
): Partial<Record<SubgraphName, string>> {
  const routing = Object.fromEntries(
    Object.entries(subgraphRoutingUrls(supergraphSdl)).map(([name, url]) => [name.toLowerCase(), url]),
  );
  const upstreams: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const routed = routing[name];
    const base = overrides[name] ?? (routed ? baseOf(routed) : undefined);
    if (base) upstreams[name] = base;
  }
  return upstreams;
}

/**
 * What the production image can run: `node dist/entrypoint.mjs <service>` (or `SERVICE=<service>`).
 * Kept free of imports so the entry point can print usage without loading any service.
 */
export const SUBGRAPH_SERVICES = ['payments', 'commerce', 'billing', 'helpdesk'] as const;
export type SubgraphServiceName = (typeof SUBGRAPH_SERVICES)[number];

export type ServiceMode =
  | { kind: 'gateway' }
  | { kind: 'subgraph'; service: SubgraphServiceName }
  | { kind: 'migrate'; service: SubgraphServiceName };

export const SERVICE_MODES: readonly string[] = [
  'gateway',
  ...SUBGRAPH_SERVICES,
  ...SUBGRAPH_SERVICES.map((service) => `migrate-${service}`),
];

/** `payments` → run the payments subgraph; `migrate-payments` → apply its migrations and exit. */
export function parseServiceMode(raw: string | undefined): ServiceMode | undefined {
  const name = raw?.trim();
  if (name === 'gateway') return { kind: 'gateway' };
  const subgraph = SUBGRAPH_SERVICES.find((service) => service === name);
  if (subgraph) return { kind: 'subgraph', service: subgraph };
  const migrated = SUBGRAPH_SERVICES.find((service) => `migrate-${service}` === name);
  if (migrated) return { kind: 'migrate', service: migrated };
  return undefined;
}

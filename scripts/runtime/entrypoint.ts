/**
 * The container's single entry point: `node dist/entrypoint.mjs <service>` or `SERVICE=<service>`.
 *
 *   gateway | payments | commerce | billing | helpdesk   run that service until SIGTERM
 *   migrate-<subgraph>                                  apply that subgraph's migrations and exit
 *
 * Each service lives in its own bundle next to this file; only the one asked for is loaded.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseServiceMode, SERVICE_MODES, type SubgraphServiceName } from './services.js';

const requested = process.argv[2] ?? process.env.SERVICE;
const mode = parseServiceMode(requested);
if (!mode) {
  process.stderr.write(
    `${requested ? `unknown service "${requested}"` : 'no service given'}: ` +
      `pass one of ${SERVICE_MODES.join(', ')} as the first argument or in SERVICE\n`,
  );
  process.exit(64); // EX_USAGE
}

// Bundled modules resolve their siblings relative to this file, wherever dist/ is.
const sibling = (file: string) => new URL(file, import.meta.url).href;

const definitions: Record<SubgraphServiceName, () => Promise<unknown>> = {
  payments: async () => (await import('@switchboard/payments')).payments,
  commerce: async () => (await import('@switchboard/commerce')).commerce,
  billing: async () => (await import('@switchboard/billing')).billing,
  helpdesk: async () => (await import('@switchboard/helpdesk')).helpdesk,
};

if (mode.kind === 'gateway') {
  // The image ships the composed supergraph next to dist/; k8s mounts the ConfigMap and sets the path.
  const shipped = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
  if (!process.env.SUPERGRAPH_PATH && existsSync(shipped)) process.env.SUPERGRAPH_PATH = shipped;
  await import(sibling('./gateway.mjs'));
} else if (mode.kind === 'subgraph') {
  await import(sibling(`./${mode.service}.mjs`));
} else {
  const { runMigrations } = await import('./migrate.js');
  const definition = (await definitions[mode.service]()) as Parameters<typeof runMigrations>[0];
  process.exit(await runMigrations(definition));
}

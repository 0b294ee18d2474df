/**
 * `pnpm deploy:sync`: copy the composed supergraph into the kustomize tree, where the gateway's
 * ConfigMap generator reads it (kustomize only loads files inside the kustomization's directory).
 * `pnpm deploy:sync --check`: exit 1 when the copy differs from supergraph.graphql (CI runs this
 * through test/deploy).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SUPERGRAPH_SOURCE = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
export const SUPERGRAPH_DEPLOY_COPY = fileURLToPath(new URL('../deploy/k8s/base/gateway/supergraph.graphql', import.meta.url));

export function deployCopyIsCurrent(): boolean {
  try {
    return readFileSync(SUPERGRAPH_DEPLOY_COPY, 'utf8') === readFileSync(SUPERGRAPH_SOURCE, 'utf8');
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    if (!deployCopyIsCurrent()) {
      process.stderr.write('deploy/k8s/base/gateway/supergraph.graphql is stale: run `pnpm deploy:sync`\n');
      process.exit(1);
    }
    process.stdout.write('deploy:sync check: the gateway ConfigMap supergraph is current\n');
  } else {
    copyFileSync(SUPERGRAPH_SOURCE, SUPERGRAPH_DEPLOY_COPY);
    process.stdout.write(`copied supergraph.graphql to ${SUPERGRAPH_DEPLOY_COPY}\n`);
  }
}

/**
 * `pnpm compose`: compose the subgraphs' SDL into supergraph.graphql (no servers needed).
 * `pnpm compose --check`: fail when the checked-in file is stale or composition fails (CI).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS } from './lib/subgraphs.js';
import { checkSupergraph, composeSupergraph, subgraphSdls, SUPERGRAPH_FILE } from './lib/supergraph.js';

const sdls = await subgraphSdls(SUBGRAPHS);
if (process.argv.includes('--check')) {
  const check = await checkSupergraph(sdls);
  if (!check.ok) {
    process.stderr.write(`compose check: ${check.reason}\n`);
    process.exit(1);
  }
  process.stdout.write('compose check: supergraph.graphql is up to date\n');
} else {
  await writeFile(SUPERGRAPH_FILE, composeSupergraph(sdls));
  process.stdout.write(`wrote ${fileURLToPath(SUPERGRAPH_FILE)}\n`);
}

/**
 * `pnpm build`: the production bundles the container runs, in dist/.
 *
 *   dist/entrypoint.mjs            `node dist/entrypoint.mjs <service>` (see scripts/runtime/entrypoint.ts)
 *   dist/gateway.mjs, dist/<subgraph>.mjs   each service's main, also runnable on its own
 *   dist/chunks/*.mjs              code shared by those entries (kit, MikroORM, Apollo…)
 *   dist/node_modules/             the few packages that cannot be bundled (native addons), copied
 *                                  with their runtime dependencies so dist/ needs nothing else
 *
 * Production runs this JavaScript with plain `node`: no tsx, no TypeScript, no dev dependencies.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

const entryPoints = {
  entrypoint: 'scripts/runtime/entrypoint.ts',
  gateway: 'gateway/src/main.ts',
  payments: 'subgraphs/payments/src/main.ts',
  commerce: 'subgraphs/commerce/src/main.ts',
  billing: 'subgraphs/billing/src/main.ts',
  helpdesk: 'subgraphs/helpdesk/src/main.ts',
};

/** Native addons: loaded from dist/node_modules at run time (copied below). */
const RUNTIME_PACKAGES = ['better-sqlite3'];
/** Their dependencies that only matter while installing (downloading prebuilt binaries). */
const INSTALL_ONLY = new Set(['prebuild-install']);
/**
 * Files of a runtime package never loaded at run time: C sources, docs, tests, and under build/
 * everything but the compiled addon itself (`*.node`).
 */
const skipInPackage = (path: string) =>
  /^(deps|src|docs|test|benchmark)(\/|$)/.test(path) ||
  /\.(c|cc|cpp|h|hpp|gyp|gypi|md|map|ts)$/.test(path) ||
  /(^|\/)test_[^/]*\.node$/.test(path) ||
  (/^build\//.test(path) && !/\.node$/.test(path) && !/^build(\/Release)?$/.test(path));

/**
 * Optional requires of bundled libraries that we never take: knex's other SQL dialects, pg's
 * native binding, MikroORM's optional tooling. Left as run-time `require`s that are never reached.
 */
const NEVER_LOADED = [
  'pg-native',
  'pg-query-stream',
  'mysql',
  'mysql2',
  'oracledb',
  'tedious',
  'sqlite3',
  'libsql',
  '@libsql/*',
  'mariadb',
  '@mikro-orm/mysql',
  '@mikro-orm/mariadb',
  '@mikro-orm/mssql',
  '@mikro-orm/libsql',
  '@mikro-orm/sqlite',
  '@mikro-orm/mongodb',
  '@mikro-orm/seeder',
  '@mikro-orm/entity-generator',
  '@mikro-orm/reflection',
  '@mikro-orm/cli',
  'ts-node',
  'ts-morph',
  '@swc/core',
  'cloudflare:sockets',
];

/**
 * CommonJS code inside an ESM bundle still calls `require`, `__dirname` and `__filename`; give each
 * output file its own, relative to itself. (Names are prefixed so they cannot clash with bundled code.)
 */
const banner = [
  "import { createRequire as __sb_createRequire } from 'node:module';",
  "import { fileURLToPath as __sb_fileURLToPath } from 'node:url';",
  "import { dirname as __sb_dirname } from 'node:path';",
  'const require = __sb_createRequire(import.meta.url);',
  'const __filename = __sb_fileURLToPath(import.meta.url);',
  'const __dirname = __sb_dirname(__filename);',
].join('\n');

/** Bundles into `outdir` (default dist/ of the repo), replacing what was there. */
export async function buildDist(options: { outdir?: string; quiet?: boolean } = {}): Promise<{ outdir: string; files: string[] }> {
  const outdir = options.outdir ?? join(root, 'dist');
  const started = Date.now();
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // type-graphql and MikroORM use legacy decorators (tsconfig: experimentalDecorators) and derive
    // GraphQL type and entity names from class names: keep them even where the bundler renames.
    tsconfig: join(root, 'tsconfig.base.json'),
    keepNames: true,
    sourcemap: 'linked',
    // Node reads every map at start (--enable-source-maps): mappings without embedded sources keep
    // stack traces exact and cost ~40 MiB less resident memory per process.
    sourcesContent: false,
    legalComments: 'none',
    banner: { js: banner },
    external: [...RUNTIME_PACKAGES, ...NEVER_LOADED],
    metafile: true,
    logLevel: 'warning',
    logOverride: {
      // Dynamic requires in libraries (knex dialects, MikroORM's optional tools) stay dynamic.
      'unsupported-require-call': 'silent',
      'unsupported-dynamic-import': 'silent',
    },
  });

  copyRuntimePackages(join(outdir, 'node_modules'));
  // dist/ is self-describing wherever it is copied (the image puts it at /app/dist).
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);

  const files = Object.keys(result.metafile.outputs).map((file) => relative(outdir, join(root, file)));
  if (!options.quiet) process.stdout.write(`built ${files.filter((f) => f.endsWith('.mjs')).length} modules into ${relative(root, outdir) || outdir} in ${Date.now() - started} ms\n`);
  return { outdir, files };
}

/** Copies each runtime package and its run-time dependency closure, symlinks resolved (pnpm). */
function copyRuntimePackages(target: string): void {
  const kitRequire = createRequire(join(root, 'packages/kit/package.json'));
  const copied = new Set<string>();
  const visit = (name: string, from: NodeRequire) => {
    if (copied.has(name) || INSTALL_ONLY.has(name)) return;
    copied.add(name);
    const source = packageDir(name, from);
    const destination = join(target, name);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source, destination, {
      recursive: true,
      dereference: true,
      filter: (path) => {
        const inside = relative(source, path);
        return inside === '' || (!inside.startsWith('node_modules') && !skipInPackage(inside));
      },
    });
    const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const ownRequire = createRequire(join(source, 'package.json'));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, ownRequire);
  };
  for (const name of RUNTIME_PACKAGES) visit(name, kitRequire);
}

function packageDir(name: string, from: NodeRequire): string {
  // Resolve the package's main file, then walk up to its package.json (works with `exports` maps).
  let dir = dirname(from.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = parent;
  }
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = process.argv.indexOf('--outdir');
  await buildDist({ outdir: flag > 0 ? process.argv[flag + 1] : undefined });
}

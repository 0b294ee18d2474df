import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../scripts/lib/subgraphs.js';
import { checkSupergraph, composeSupergraph, subgraphSdls, SUPERGRAPH_FILE, type SubgraphSdl } from '../../scripts/lib/supergraph.js';

describe('supergraph composition check', () => {
  let sdls: SubgraphSdl[];
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-compose-'));
  beforeAll(async () => {
    sdls = await subgraphSdls(SUBGRAPHS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the checked-in supergraph.graphql is what the subgraphs compose to', async () => {
    expect(await checkSupergraph(sdls)).toEqual({ ok: true });
  });

  it('fails when a subgraph schema changed and supergraph.graphql was not recomposed', async () => {
    const changed = sdls.map((s) =>
      s.name === 'billing' ? { ...s, sdl: `${s.sdl}\nextend type Query { billingVersion: String }\n` } : s,
    );
    const check = await checkSupergraph(changed);
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/stale.*pnpm compose/) });

    // Recomposing makes it pass again.
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph(changed));
    expect(await checkSupergraph(changed, file)).toEqual({ ok: true });
    expect(readFileSync(file, 'utf8')).toMatch(/billingVersion: String @join__field\(graph: BILLING\)/);
  });

  it('fails with the composition errors when subgraphs conflict', () => {
    const conflicting = sdls.map((s) =>
      s.name === 'helpdesk' ? { ...s, sdl: `${s.sdl}\nextend type Customer @key(fields: "email") { name: Int }\n` } : s,
    );
    expect(() => composeSupergraph(conflicting)).toThrow(/composition failed:[\s\S]*name/);
  });

  it('fails when supergraph.graphql is missing', async () => {
    expect(await checkSupergraph(sdls, join(dir, 'absent.graphql'))).toEqual({ ok: false, reason: expect.stringMatching(/missing/) });
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8').length).toBeGreaterThan(0);
  });
});

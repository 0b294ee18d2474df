import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, sha256Hex } from '@switchboard/kit';
import { loadGatewayConfig } from '../src/index.js';

const minimal = { GATEWAY_SIGNING_SECRET: 'sixteen-chars-ok!', JWT_SECRET: 'x'.repeat(32) };

function problems(env: Record<string, string | undefined>): Record<string, string> {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('loadGatewayConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadGatewayConfig(minimal);
    expect(config).toMatchObject({
      PORT: 4000,
      HOST: '0.0.0.0',
      GATEWAY_MAX_DEPTH: 12,
      GATEWAY_MAX_ALIASES: 20,
      GATEWAY_MAX_COST: 5000,
      SHUTDOWN_TIMEOUT_MS: 25000,
      GATEWAY_BODY_LIMIT_BYTES: 1024 * 1024,
      GATEWAY_SUBGRAPH_TIMEOUT_MS: 10_000,
      GATEWAY_REST_PROXY: false,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    expect(config.SUPERGRAPH_PATH).toBe(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url)));
  });

  it('names GATEWAY_SIGNING_SECRET when it is missing or short', () => {
    expect(problems({ JWT_SECRET: minimal.JWT_SECRET })).toMatchObject({ GATEWAY_SIGNING_SECRET: 'is required' });
    expect(problems({ ...minimal, GATEWAY_SIGNING_SECRET: 'short' }).GATEWAY_SIGNING_SECRET).toMatch(/at least 16/);
  });

  it('requires at least one way to authenticate, naming the three variables', () => {
    const found = problems({ GATEWAY_SIGNING_SECRET: minimal.GATEWAY_SIGNING_SECRET });
    expect(found['JWT_SECRET/JWT_JWKS_URL/GATEWAY_API_KEYS']).toMatch(/at least one of/);
    // Reported together with other problems, so one run shows everything to fix.
    expect(Object.keys(problems({ JWT_SECRET: '' })).sort()).toEqual(
      ['GATEWAY_SIGNING_SECRET', 'JWT_SECRET/JWT_JWKS_URL/GATEWAY_API_KEYS'].sort(),
    );
  });

  it('refuses an HS256 secret shorter than 256 bits', () => {
    expect(problems({ ...minimal, JWT_SECRET: 'too-short' }).JWT_SECRET).toMatch(/at least 32/);
  });

  it('parses GATEWAY_API_KEYS and reports bad entries without echoing them', () => {
    const digest = sha256Hex('key-1');
    const config = loadGatewayConfig({
      GATEWAY_SIGNING_SECRET: minimal.GATEWAY_SIGNING_SECRET,
      GATEWAY_API_KEYS: ` importer:${digest.toUpperCase()}:finance|ops , reader:${sha256Hex('k2')}: `,
    });
    expect(config.GATEWAY_API_KEYS).toEqual([
      { name: 'importer', sha256: digest, roles: ['finance', 'ops'] },
      { name: 'reader', sha256: sha256Hex('k2'), roles: [] },
    ]);
    const bad = problems({ ...minimal, GATEWAY_API_KEYS: 'importer:plaintext-key:ops' }).GATEWAY_API_KEYS;
    expect(bad).toMatch(/entry 1: key must be given as a 64-character SHA-256 hex digest/);
    expect(bad).not.toContain('plaintext-key');
    expect(problems({ ...minimal, GATEWAY_API_KEYS: `a:${digest}:x,a:${digest}:y` }).GATEWAY_API_KEYS).toMatch(/duplicate name/);
  });

  it('validates numbers, booleans and URLs, naming each variable', () => {
    const found = problems({
      ...minimal,
      PORT: 'eighty',
      GATEWAY_MAX_DEPTH: '0',
      GATEWAY_REST_PROXY: 'maybe',
      PAYMENTS_URL: 'not a url',
      JWT_JWKS_URL: 'ftp://idp.example.com/jwks',
    });
    expect(Object.keys(found).sort()).toEqual(
      ['GATEWAY_MAX_DEPTH', 'GATEWAY_REST_PROXY', 'JWT_JWKS_URL', 'PAYMENTS_URL', 'PORT'].sort(),
    );
  });

  it('treats empty values as unset', () => {
    expect(loadGatewayConfig({ ...minimal, PORT: '', PAYMENTS_URL: '' })).toMatchObject({ PORT: 4000 });
  });
});

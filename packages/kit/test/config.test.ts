import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, serviceEnvSchema } from '../src/index.js';

const schema = serviceEnvSchema({ port: 4002, database: 'sqlite:./data/x.sqlite' });
const base = { GATEWAY_SIGNING_SECRET: 'a-signing-secret-of-length' };

describe('environment configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(schema, base);
    expect(config).toMatchObject({ PORT: 4002, DATABASE_URL: 'sqlite:./data/x.sqlite', LOG_LEVEL: 'info', NODE_ENV: 'development' });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig(schema, { ...base, PORT: '' }).PORT).toBe(4002);
  });

  it('names every bad variable and what is wrong with it', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.message]));
      expect(Object.keys(problems).sort()).toEqual(['DATABASE_URL', 'GATEWAY_SIGNING_SECRET', 'LOG_LEVEL', 'PORT']);
      expect(problems.GATEWAY_SIGNING_SECRET).toBe('is required');
      expect(problems.DATABASE_URL).toMatch(/sqlite: or postgres:\/\//);
      expect((error as Error).message).toMatch(/PORT: .*number/i);
    }
  });

  it('rejects a short signing secret', () => {
    expect(() => loadConfig(schema, { GATEWAY_SIGNING_SECRET: 'short' })).toThrow(/GATEWAY_SIGNING_SECRET: must be at least 16 characters/);
  });
});

/** The settings a subgraph's own process (its main, or its dist bundle) runs with in a benchmark: production mode on loopback. */
export function productionSubgraphEnv(options: { port: number; databaseUrl: string; natsUrl: string; signingSecret: string; logLevel?: 'info' | 'warn' }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    LOG_LEVEL: options.logLevel ?? 'info',
    DATABASE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl,
    GATEWAY_SIGNING_SECRET: options.signingSecret,
  };
}

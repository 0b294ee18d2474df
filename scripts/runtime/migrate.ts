import { z } from 'zod';
import {
  ConfigError,
  createLogger,
  env,
  EVENT_ENTITIES,
  KIT_MIGRATIONS,
  loadConfig,
  openDatabase,
  type SubgraphDefinition,
} from '@switchboard/kit';

const migrateEnvSchema = (service: string) =>
  z.object({
    DATABASE_URL: env.databaseUrl(`sqlite:./data/${service}.sqlite`),
    LOG_LEVEL: env.logLevel(),
  });

/**
 * The migrations Job: apply the subgraph's pending migrations (the kit's first, exactly as the
 * service does at start) and exit. Needs only DATABASE_URL, so the Job carries no other secret.
 * Exit 0 when the schema is current, 1 on a configuration or migration error.
 */
export async function runMigrations(
  definition: SubgraphDefinition<any>,
  environment: Record<string, string | undefined> = process.env,
): Promise<number> {
  let config: z.infer<ReturnType<typeof migrateEnvSchema>>;
  try {
    config = loadConfig(migrateEnvSchema(definition.name), environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`migrate-${definition.name}: ${error.message}\n`);
    return 1;
  }
  const logger = createLogger({ name: `migrate-${definition.name}`, level: config.LOG_LEVEL });
  try {
    const db = await openDatabase({
      url: config.DATABASE_URL,
      entities: [...EVENT_ENTITIES, ...definition.entities],
      migrations: [...KIT_MIGRATIONS, ...definition.migrations],
      logger,
      migrate: false,
    });
    try {
      const applied = await db.migrate();
      const pending = await db.check();
      if (pending !== true) throw new Error(`schema not current after migrating: ${pending}`);
      logger.info({ applied, database: db.dialect }, applied.length ? 'migrations applied' : 'schema already current');
    } finally {
      await db.close();
    }
    return 0;
  } catch (error) {
    logger.fatal({ err: error }, 'migrations failed');
    return 1;
  }
}

import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/** A named readiness check; returns `true` or a reason string. */
export type ReadinessCheck = () => Promise<true | string>;

/**
 * `GET /healthz`: the process is alive and serving.
 * `GET /readyz`: every dependency check passes (503 with the failing checks otherwise).
 */
export const healthPlugin = fp<{ checks: Record<string, ReadinessCheck>; isShuttingDown?: () => boolean }>(
  async (app: FastifyInstance, { checks, isShuttingDown }) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      if (isShuttingDown?.()) return reply.code(503).send({ status: 'shutting-down' });
      const results: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            const outcome = await check();
            results[name] = outcome === true ? 'ok' : outcome;
            if (outcome !== true) ready = false;
          } catch (error) {
            results[name] = (error as Error).message;
            ready = false;
          }
        }),
      );
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: results });
    });
  },
  { name: 'switchboard-health' },
);

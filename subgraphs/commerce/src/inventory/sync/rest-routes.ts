import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { ServiceRuntime } from '@switchboard/kit';
import { SyncDisabledError, type InventoryDeps } from '../inventory.js';
import { verifyBearer } from './api-keys.js';
import { parseLogQuery } from './log-query.js';
import { findLog, findLogs, legacyLog, loadJobStatus, loadQueueStats, loadSyncStats } from './sync-queries.js';

declare module 'fastify' {
  interface FastifyRequest {
    inventoryApiKey?: string;
  }
}

/**
 * The legacy inventory-sync REST API (seed "API Endpoints"): same paths, parameters and response
 * shapes, Bearer API keys instead of the old app's JWTs. Registered as its own plugin so its
 * auth hook and body parsing apply to these routes only.
 */
export const inventorySyncRoutes: FastifyPluginAsync<{ deps: ServiceRuntime & InventoryDeps }> = async (app, { deps }) => {
  const { inventory } = deps;

  // Legacy clients POST with `Content-Type: application/json` and no body: that is not an error here.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    const text = String(body);
    if (!text.trim()) return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const outcome = verifyBearer(request.headers.authorization, inventory.config.apiKeys);
    if ('refused' in outcome) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ success: false, message: outcome.refused });
    }
    request.inventoryApiKey = outcome.name;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'inventory sync REST request failed');
    return reply.code(status).send({ success: false, message: status === 500 ? 'Internal error' : error.message });
  });

  app.post('/api/odoo/sync/full', async (request, reply) => {
    try {
      const { job } = await inventory.startFullSync(`REST (API key ${request.inventoryApiKey})`);
      return { success: true, message: 'Full inventory sync has been queued', jobId: job.id, triggerType: 'MANUAL_FULL' };
    } catch (error) {
      if (error instanceof SyncDisabledError) return reply.code(503).send({ success: false, message: error.message });
      throw error;
    }
  });

  app.get<{ Params: { jobId: string } }>('/api/odoo/sync/job/:jobId', async (request) => ({
    success: true,
    job: await loadJobStatus(deps.db.em(), request.params.jobId),
  }));

  app.get('/api/odoo/sync/queue/stats', async () => ({ success: true, stats: await loadQueueStats(deps.db.em()) }));

  app.get('/api/odoo/sync/logs', async (request, reply) => {
    const query = parseLogQuery(request.query as Record<string, unknown>);
    if (!query.ok) return reply.code(400).send({ success: false, message: query.message });
    const { logs, total } = await findLogs(deps.db.em(), query.value);
    const { page, limit } = query.value;
    return { success: true, logs: logs.map(legacyLog), pagination: { page, limit, total, pages: Math.ceil(total / limit) } };
  });

  app.get<{ Params: { id: string } }>('/api/odoo/sync/logs/:id', async (request, reply) => {
    const found = await findLog(deps.db.em(), request.params.id);
    if (!found) return reply.code(404).send({ success: false, message: `Log ${request.params.id} not found` });
    return { success: true, log: legacyLog(found.log) };
  });

  app.get('/api/odoo/sync/stats', async () => {
    const { stats, recent } = await loadSyncStats(deps.db.em());
    return { success: true, stats, recent: recent.map(legacyLog) };
  });
};

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createSubgraphService, InProcessEventBus, type SubgraphService } from '@switchboard/kit';
import { payments, type PaymentsDeps } from '../../src/service.js';
import { graphqlClient, type CloverTestEnvironment as Environment, type CloverTestService as TestService } from '../clover/support.js';

export { CloverTestEnvironment, logLines, connected, createConnection, key, COLLECT, PAYMENT_FIELDS, type CloverTestService, type Connected, type DbKind } from '../clover/support.js';

/** An app secret for `CLOVER_WEBHOOK_APP_SECRET` in tests. */
export const APP_SECRET = 'clover-test-app-secret-0123456789abcdef';

export const WEBHOOK_FIELDS =
  'id endpoint status reason detail shape appId merchantIds merchantCount objectCount verificationCode bodyBytes signaturePresent receivedAt processingStatus processingAttempts processingError results { objectId merchantId outcome paymentId status detail } forwardCount unroutedMerchantIds';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
}

/**
 * A customer installation's webhook URL as the dispatcher sees it: records every request with
 * its exact bytes, answers `respondWith` (default 200).
 */
export async function startRecordingReceiver(): Promise<{ url: string; received: Received[]; respondWith(status: number): void; stop(): Promise<void> }> {
  const received: Received[] = [];
  let status = 200;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), at: Date.now() });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/payment/clover/webhook`,
    received,
    respondWith: (next) => (status = next),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Another installation of the payments service — its own database AND its own (in-process) bus.
 * Services sharing a bus share their durable consumers (that is how replicas split work), so a
 * second installation on the test's bus would take the first one's wake-ups for rows it does not
 * have. Stopped by `stopAll`.
 */
export async function separateInstallation(env: Environment, databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<TestService> {
  const service = await createSubgraphService(payments, { bus: new InProcessEventBus(), logger: quietLogger, env: env.env(databaseUrl, extraEnv) });
  await service.start();
  installations.push(service);
  return graphqlClient(service, ['ops']);
}

const installations: SubgraphService<PaymentsDeps>[] = [];
const quietLogger = createLogger({ name: 'separate-installation', level: 'silent' });

export async function stopInstallations(): Promise<void> {
  for (const service of installations.splice(0)) await service.stop().catch(() => undefined);
}

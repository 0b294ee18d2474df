/**
 * The Odoo vendor API emulator in a process of its own, so that a benchmark measures the service's
 * CPU and event loop, not the emulator's. Prints one JSON line `{ url, control }`; `GET <control>/stats`
 * answers what Odoo saw. Options come as JSON in argv[2]: `{ token, partnerId, rateLimitPerSecond, latencyMs }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOdooVendorEmulator } from '@switchboard/testkit';

const options = JSON.parse(process.argv[2] ?? '{}') as { token: string; partnerId: number; rateLimitPerSecond?: number; latencyMs?: number };
const odoo = await startOdooVendorEmulator({
  tokens: { [options.token]: [options.partnerId] },
  rateLimitPerSecond: options.rateLimitPerSecond,
  latencyMs: options.latencyMs,
});
const control = createServer((request, response) => {
  if (request.url !== '/stats') {
    response.writeHead(404).end();
    return;
  }
  const calls = odoo.calls();
  response.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      calls: calls.length,
      rejected: calls.filter((c) => c.status === 429).length,
      busiest: odoo.busiestWindow(1000).count,
      perSecond: odoo.callsPerSecond().map((s) => s.count),
    }),
  );
});
await new Promise<void>((resolve) => control.listen({ host: '127.0.0.1', port: 0 }, resolve));
console.log(JSON.stringify({ url: odoo.url, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` }));
process.on('SIGTERM', () => void odoo.stop().then(() => process.exit(0)));

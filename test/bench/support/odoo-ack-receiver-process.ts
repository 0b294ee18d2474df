/**
 * Odoo's side of the WEX card flow during the intake benchmark, in its own process so it takes no
 * time from the service measured: answers every card delivery 200 at once and then, as Odoo's
 * automation does, acknowledges it (`POST /ack` with its payment_id), which ends the delivery's
 * re-sends. Prints one JSON line `{ url }`; `POST /configure {"ackUrl","token"}` says where to ACK
 * (the service starts after this receiver, so its URL is not known at launch). `GET /stats`
 * answers what was received and acknowledged.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

let ackUrl: URL | undefined;
let token = '';
let received = 0;
let acknowledged = 0;
let ackFailures = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function acknowledge(paymentId: string): void {
  if (!ackUrl) return;
  const body = JSON.stringify({ payment_id: paymentId });
  const req = request(ackUrl, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-proxy-auth-token': token, 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? acknowledged++ : ackFailures++));
  });
  req.on('error', () => ackFailures++);
  req.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received, acknowledged, ackFailures }));
      return;
    }
    if (req.method === 'POST' && req.url === '/configure') {
      const settings = JSON.parse(body) as { ackUrl: string; token: string };
      ackUrl = new URL(settings.ackUrl);
      token = settings.token;
      res.writeHead(204).end();
      return;
    }
    received++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    try {
      const paymentId = (JSON.parse(body) as { payment_id?: unknown }).payment_id;
      if (typeof paymentId === 'string') acknowledge(paymentId);
    } catch {
      /* not a card result: nothing to acknowledge */
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => {
  agent.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

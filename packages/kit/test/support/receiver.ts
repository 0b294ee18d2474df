import { createServer, type Server } from 'node:http';

export interface Received {
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A webhook receiver for tests: records every request and answers with the scripted status. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; respondWith: (status: number) => void; stop: () => Promise<void> }> {
  const received: Received[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    received,
    respondWith: (next) => {
      status = next;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The comparison server of the intake benchmarks: plain node:http that reads the body, performs the
 * adapter's authentication (and nothing else) and answers. What an adapter loses against it is
 * what durability and the adapter's own work cost.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareServer(path: string, authenticate: (headers: IncomingHttpHeaders, body: Buffer) => boolean): Promise<BareServer> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const valid = authenticate(request.headers, Buffer.concat(chunks));
      response.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end(valid ? '{"ok":true}' : '{"ok":false}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer } from 'node:net';

/**
 * Ask the OS for a currently free TCP port on 127.0.0.1.
 *
 * The port is released before this resolves, so another process could in
 * theory grab it before the caller binds it; callers that spawn servers should
 * treat a bind failure as retryable.
 */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected server address ${String(address)}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

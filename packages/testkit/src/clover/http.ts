import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The four Clover hosts the emulator serves, each on its own port as in the real thing. */
export type CloverHost = 'api' | 'ui' | 'ecommerce' | 'token';

export interface EmulatorRequest {
  host: CloverHost;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Raw body text ('' when none). */
  rawBody: string;
  /** Parsed JSON body; undefined when the body is empty, `INVALID_JSON` when it does not parse. */
  body: unknown;
  params: Record<string, string>;
}

export const INVALID_JSON = Symbol('invalid json');

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection without answering (the server did the work, the client never hears). */
  destroy?: boolean;
}

export type Handler = (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** A tiny router: `/v1/charges/:id/capture` style paths, exact method match. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:([A-Za-z]+)/g, (_match, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}$`,
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, index) => (params[key] = decodeURIComponent(found[index + 1] ?? '')));
      return { handler: route.handler, params };
    }
    return undefined;
  }
}

export interface RecordedRequest {
  host: CloverHost;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
}

export interface HostServer {
  url: string;
  close(): Promise<void>;
}

/** Serves one Clover host; every request is recorded (after it is answered) for assertions. */
export async function serveHost(
  host: CloverHost,
  router: Router,
  options: {
    record: (request: RecordedRequest) => void;
    /** Injected behaviour around routing (latency, forced failures); `next` runs the real handler. */
    intercept?: (request: EmulatorRequest, next: () => Promise<EmulatorResponse>) => Promise<EmulatorResponse>;
  },
): Promise<HostServer> {
  const server: Server = createServer((req, res) => void handle(req, res));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    let body: unknown;
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = INVALID_JSON;
      }
    }
    const request: EmulatorRequest = { host, method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, rawBody, body, params: {} };
    let response: EmulatorResponse;
    try {
      response = options.intercept ? await options.intercept(request, () => route(request)) : await route(request);
    } catch (error) {
      response = { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
    }
    options.record({
      host,
      method: request.method,
      path: request.path,
      query: url.search,
      headers,
      body: body === INVALID_JSON ? rawBody : body,
      status: response.destroy ? 0 : response.status,
      at: Date.now(),
    });
    if (response.destroy) {
      req.socket.destroy();
      return;
    }
    const text = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status, {
      'content-type': typeof response.body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
      ...response.headers,
    });
    res.end(text);
  }

  async function route(request: EmulatorRequest): Promise<EmulatorResponse> {
    const found = router.match(request.method, request.path);
    if (!found) return { status: 404, body: { message: `404 Not Found: ${request.method} ${request.path}` } };
    request.params = found.params;
    return found.handler(request);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): EmulatorResponse => ({ status, body, headers });

/** Clover's ecommerce error shape. */
export function ecomError(status: number, type: string, message: string, extra: Record<string, unknown> = {}): EmulatorResponse {
  return json(status, { message: `${status} ${STATUS_TEXT[status] ?? 'Error'}`, error: { type, message, ...extra } });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  503: 'Service Unavailable',
};

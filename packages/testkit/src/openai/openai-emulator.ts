import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type OpenAiMode = 'ok' | 'server-error' | 'rate-limited' | 'slow' | 'empty';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  authorization: string | undefined;
}

export interface OpenAiEmulator {
  /** Base URL to configure as the API base, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: readonly ChatRequest[];
  /** `ok` answers; `server-error` 500; `rate-limited` 429; `slow` waits `slowMs` before answering; `empty` returns no choices. */
  mode: OpenAiMode;
  slowMs: number;
  /** The assistant's answer for a request (default: five bullets that quote the prompt length). */
  respond: (request: ChatRequest) => string;
  stop(): Promise<void>;
}

function error(res: ServerResponse, status: number, message: string, type: string, code: string | null) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An OpenAI-compatible `POST /v1/chat/completions` on a free loopback port: checks the bearer
 * key, validates the body the way the API does, answers in the API's response shape, and fails
 * on command (5xx, 429, slow, empty).
 */
export async function startOpenAiEmulator(options: { apiKey?: string } = {}): Promise<OpenAiEmulator> {
  const apiKey = options.apiKey ?? `sk-test-${randomUUID().replace(/-/g, '')}`;
  const requests: ChatRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state: OpenAiEmulator = {
    baseUrl: '',
    apiKey,
    requests,
    mode: 'ok',
    slowMs: 20_000,
    respond: (request) => {
      const prompt = request.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
      return [
        `- The ask: as described in the request (${prompt.length} characters read)`,
        '- Impact if approved: not stated',
        '- Impact if not approved: not stated',
        '- Cost signals: not stated',
        '- Open questions: none',
      ].join('\n');
    },
    stop: async () => undefined,
  };

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return error(res, 404, `Invalid URL (${req.method} ${req.url})`, 'invalid_request_error', null);
    }
    const authorization = req.headers.authorization;
    if (authorization !== `Bearer ${apiKey}`) {
      return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    let parsed: { model?: unknown; messages?: unknown };
    try {
      parsed = JSON.parse(await body(req));
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
    }
    if (typeof parsed.model !== 'string') return error(res, 400, "you must provide a model parameter", 'invalid_request_error', null);
    if (!Array.isArray(parsed.messages) || parsed.messages.length === 0) {
      return error(res, 400, "'messages' is a required property", 'invalid_request_error', null);
    }
    const request: ChatRequest = { model: parsed.model, messages: parsed.messages as ChatRequest['messages'], authorization };
    requests.push(request);
    if (state.mode === 'server-error') return error(res, 500, 'The server had an error while processing your request.', 'server_error', null);
    if (state.mode === 'rate-limited') {
      res.setHeader('retry-after', '20');
      return error(res, 429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded');
    }
    if (state.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, state.slowMs));
    if (res.destroyed) return;
    const content = state.respond(request);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: state.mode === 'empty' ? [] : [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stop: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  });
  return state;
}

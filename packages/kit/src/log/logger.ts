import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line: credentials, tokens and card data. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-proxy-auth-token"]',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-switchboard-identity"]',
  'req.headers["x-api-key"]',
  '*.access_token',
  '*.refresh_token',
  '*.card_number',
  '*.cvv',
  '*.cvc',
  'headers.authorization',
];

export function createLogger(options: { name: string; level?: string } & LoggerOptions): Logger {
  return pino({
    ...options,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

import { existsSync, readFileSync } from 'node:fs';

/**
 * The legacy WEX proxy's documented contract (shared/seeds/wex-proxy-README.md), copied verbatim
 * so the contract test runs anywhere; `seedDrift()` compares the copies with the seed when it is
 * beside the repository, so a changed seed fails the test instead of being silently ignored.
 */
export const SEED_PATH = new URL('../../../../../shared/seeds/wex-proxy-README.md', import.meta.url).pathname;

/** "Manual Testing (success path)", step 1 and step 2. */
export const SEED_CURL_PROXY = `curl -X POST http://localhost:8844/proxy \\
  -H "Content-Type: application/json" \\
  -H "X-Proxy-Auth-Token: your_token" \\
  -d '{
    "_id": "test-123",
    "x_name": "PAY-001",
    "x_studio_vendor_name": "Test Vendor",
    "x_studio_vendor_payment_amount_requested": 100.50,
    "x_studio_hauler_invoice_or_remittance_advice_memo": "TEST-INV-001",
    "x_studio_employee_name": "Test Employee"
  }'`;

export const SEED_CURL_ACK = `curl -X POST http://localhost:8844/ack \\
  -H "Content-Type: application/json" \\
  -H "X-Proxy-Auth-Token: your_token" \\
  -d '{ "payment_id": "PAY-001" }'`;

/** "Request Body" of POST /proxy (token in the body). */
export const SEED_PROXY_BODY = `{
  "x_studio_proxy_auth_token": "your_auth_token",
  "_id": "unique_request_id",
  "x_name": "payment_id",
  "x_studio_vendor_name": "Vendor Company Name",
  "x_studio_vendor_payment_amount_requested": 150.00,
  "x_studio_hauler_invoice_or_remittance_advice_memo": "INV12345",
  "x_studio_employee_name": "John Doe"
}`;

/** "Success Response (200)". */
export const SEED_SUCCESS_RESPONSE = `{
  "_model": "x_requests",
  "_id": "unique_request_id",
  "status": 200,
  "card_number": "4111222233334444",
  "expiration_month": "09",
  "expiration_year": "2027",
  "security_code": "123",
  "payment_id": "payment_id",
  "amount": "150.00",
  "hauler_name": "Vendor Company Name",
  "employee": "John Doe",
  "invoice_number": "INV12345"
}`;

/** "Downstream delivery (example extra fields)". */
export const SEED_DELIVERY_EXTRA = `{
  "...": "...",
  "_delivery_id": "e8f0e6e8-1a9b-4d2f-8f7f-2a3b4c5d6e7f",
  "_delivery_attempt": 2
}`;

/** "Error Response (4xx/5xx)". */
export const SEED_ERROR_RESPONSE = `{
  "_model": "x_requests",
  "_id": "unique_request_id",
  "status": 400,
  "error": "Error message from WEX API"
}`;

/** "POST /ack — Response (200)". */
export const SEED_ACK_RESPONSE = `{
  "status": "acknowledged",
  "payment_id": "payment_id"
}`;

/** Copies that no longer appear, character for character (indentation aside), in the seed. */
export function seedDrift(): string[] | 'seed not present' {
  if (!existsSync(SEED_PATH)) return 'seed not present';
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  const seed = squash(readFileSync(SEED_PATH, 'utf8'));
  const copies = { SEED_CURL_PROXY, SEED_CURL_ACK, SEED_PROXY_BODY, SEED_SUCCESS_RESPONSE, SEED_DELIVERY_EXTRA, SEED_ERROR_RESPONSE };
  const drift = Object.entries(copies).filter(([, text]) => !seed.includes(squash(text))).map(([name]) => name);
  // The ACK response block carries a `// or "x_name"` comment in the request, not the response.
  if (!seed.includes(squash(SEED_ACK_RESPONSE))) drift.push('SEED_ACK_RESPONSE');
  return drift;
}

export interface CurlCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Reads a seed `curl` command: method, path (the host is replaced by the test), headers, body. */
export function parseCurl(command: string): CurlCall {
  const line = command.replace(/\\\n/g, ' ');
  const target = /-X\s+(\w+)\s+(\S+)/.exec(line);
  if (!target) throw new Error(`no -X METHOD URL in ${command}`);
  const headers: Record<string, string> = {};
  for (const [, header] of line.matchAll(/-H\s+"([^"]+)"/g)) {
    const colon = header!.indexOf(':');
    headers[header!.slice(0, colon).trim().toLowerCase()] = header!.slice(colon + 1).trim();
  }
  const data = /-d\s+'([\s\S]*?)'/.exec(command);
  return { method: target[1]!, path: new URL(target[2]!).pathname, headers, body: data?.[1] ?? '' };
}

/** JSON type names, to compare a live answer with a documented example key by key. */
export function shapeOf(value: Record<string, unknown>): [string, string][] {
  return Object.entries(value).map(([key, v]) => [key, v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v]);
}

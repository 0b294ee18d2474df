import type { IncomingMessage } from 'node:http';

/** An HTTP request as an emulator keeps it for the test to inspect. */
export interface RecordedHttpRequest {
  at: number;
  /** Header names lower-case; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  /** Raw body text, exactly as sent. */
  rawBody: string;
  /** Parsed JSON, or undefined when the body did not parse. */
  body: any;
  /** Status answered (0 when the connection was dropped or is still hanging). */
  status: number;
}

/** Reads the whole request; `status` stays 0 until the emulator answers. */
export async function recordHttpRequest(req: IncomingMessage): Promise<RecordedHttpRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  let body: any;
  try {
    body = JSON.parse(rawBody);
  } catch {
    body = undefined;
  }
  return { at: Date.now(), headers, rawBody, body, status: 0 };
}

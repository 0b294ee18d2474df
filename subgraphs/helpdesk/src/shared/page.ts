import type { FastifyReply } from 'fastify';
import { escapeHtml } from './html.js';

/** A small self-contained HTML page for people arriving from an e-mail link (no scripts). */
export function page(brand: string, title: string, body: string): string {
  return '<!doctype html><html lang="en-CA"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)} · ${escapeHtml(brand)}</title><style>` +
    'body{margin:0;background:#f4f5f7;font:15px/1.5 system-ui,Arial,sans-serif;color:#1f2937}' +
    'main{max-width:720px;margin:24px auto;background:#fff;border-radius:8px;padding:24px}' +
    '.brand{font-size:13px;color:#6b7280}.ref{color:#6b7280;font-size:13px}' +
    '.chip{display:inline-block;padding:2px 8px;border-radius:10px;background:#e5e7eb;font-size:12px}' +
    '.msg{border-top:1px solid #e5e7eb;padding:12px 0}.msg .who{font-weight:600}.msg .when{color:#6b7280;font-size:12px}' +
    '.support{background:#f9fafb;padding:12px;border-radius:6px}' +
    'textarea{width:100%;min-height:120px;box-sizing:border-box;padding:8px;font:inherit}' +
    'button{padding:10px 18px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer}' +
    'button.reject{background:#b91c1c}button.approve{background:#15803d}.notice{padding:8px 12px;background:#ecfdf5;border-radius:6px}' +
    '.att{font-size:13px;color:#374151}' +
    `</style></head><body><main><div class="brand">${escapeHtml(brand)}</div>${body}</main></body></html>`;
}

/**
 * Headers for pages reached through a secret link: never cached, never indexed, the link never
 * leaks through a Referer, and nothing but our own inline CSS and same-origin forms run.
 */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .send(html);
}

/** The friendly page for a link that is unknown, used, revoked or superseded (seed §2.2, step 5). */
export function invalidLinkPage(brand: string, supportEmail: string, what: 'approval' | 'ticket'): string {
  const text = what === 'approval'
    ? 'This approval link has already been used or is no longer valid.'
    : 'This link has been replaced or is no longer valid.';
  return page(brand, 'Link no longer valid',
    `<h1>Link no longer valid</h1><p>${text}</p>` +
    `<p>If you need help, write to <a href="mailto:${escapeHtml(supportEmail)}">${escapeHtml(supportEmail)}</a>.</p>`);
}

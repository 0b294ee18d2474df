import { escapeHtml, htmlToPlainText } from '../../shared/html.js';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A bulletproof-ish button: a table cell link renders in every mail client. */
export function button(href: string, label: string, colour = '#1d4ed8'): string {
  return `<table role="presentation" cellspacing="0" cellpadding="0" style="margin:16px 0"><tr><td style="border-radius:6px;background:${colour}">` +
    `<a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 18px;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(label)}</a>` +
    '</td></tr></table>';
}

/** Light branding around a body; the text part is derived from the same HTML. */
export function layout(brand: string, subject: string, bodyHtml: string): RenderedMail {
  const html = '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    `<title>${escapeHtml(subject)}</title></head>` +
    '<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2937">' +
    '<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">' +
    `<div style="font-size:13px;color:#6b7280;margin-bottom:16px">${escapeHtml(brand)}</div>` +
    bodyHtml +
    '</div></body></html>';
  return { subject, html, text: htmlToPlainText(bodyHtml) };
}

export function greeting(name: string | null | undefined): string {
  return `<p>Hello${name ? ` ${escapeHtml(name)}` : ''},</p>`;
}

import { escapeHtml } from '../../shared/html.js';
import { button, greeting, layout, type RenderedMail } from './layout.js';

export interface TicketMailContext {
  brand: string;
  reference: string;
  title: string;
  reporterName?: string | null;
  /** The magic link to the ticket page. */
  link: string;
}

/** The acknowledgement (seed §1.8): "We received your request [HD-000042]", Canadian English. */
export function acknowledgementMail(ctx: TicketMailContext): RenderedMail {
  const subject = `We received your request [${ctx.reference}]`;
  return layout(ctx.brand, subject,
    greeting(ctx.reporterName) +
    `<p>Thank you for contacting us. We have received your request <strong>${escapeHtml(ctx.title)}</strong> ` +
    `and our team will review it shortly. Your reference is <strong>${escapeHtml(ctx.reference)}</strong>.</p>` +
    '<p>You can follow its progress and reply to our team at any time from this page:</p>' +
    button(ctx.link, 'View your request') +
    `<p style="font-size:13px;color:#6b7280">Or copy this link into your browser: ${escapeHtml(ctx.link)}<br>` +
    'Anyone with this link can read and reply to the request, so please don\'t forward it.</p>');
}

/** A public reply from support, with the thread link (the seed's native "View Ticket" notification). */
export function replyMail(ctx: TicketMailContext & { replyHtml: string; authorName?: string | null }): RenderedMail {
  const subject = `New reply on your request [${ctx.reference}]`;
  return layout(ctx.brand, subject,
    greeting(ctx.reporterName) +
    `<p>${ctx.authorName ? escapeHtml(ctx.authorName) : 'Our team'} replied to your request <strong>${escapeHtml(ctx.title)}</strong>:</p>` +
    `<blockquote style="margin:12px 0;padding:8px 16px;border-left:3px solid #d1d5db;color:#374151">${ctx.replyHtml}</blockquote>` +
    button(ctx.link, 'View and reply') +
    `<p style="font-size:13px;color:#6b7280">Or copy this link into your browser: ${escapeHtml(ctx.link)}</p>`);
}

/** After support rotated the ticket's links: the only link that now works. */
export function accessLinkMail(ctx: TicketMailContext): RenderedMail {
  const subject = `Your new link for request [${ctx.reference}]`;
  return layout(ctx.brand, subject,
    greeting(ctx.reporterName) +
    `<p>We have replaced the links to your request <strong>${escapeHtml(ctx.title)}</strong>. ` +
    'Links in earlier e-mails no longer work; please use this one:</p>' +
    button(ctx.link, 'View your request') +
    `<p style="font-size:13px;color:#6b7280">Or copy this link into your browser: ${escapeHtml(ctx.link)}</p>`);
}

import type { OutboundHttp } from '@switchboard/kit';
import type { HelpdeskConfig } from '../config.js';
import { SUMMARY_PROMPT, truncateForOpenAI } from './summary-prompt.js';

export type SummaryResult = { ok: true; summary: string } | { ok: false; reason: string };

/**
 * Approval summaries from an OpenAI-compatible chat-completions endpoint. Best effort by design:
 * no key, a timeout (15 s), an error status or an odd answer all come back as `ok: false`, and
 * the caller shows "summary unavailable" — an approval never waits on the AI.
 */
export class SummaryClient {
  constructor(private readonly config: HelpdeskConfig, private readonly http: OutboundHttp) {}

  get enabled(): boolean {
    return !!this.config.HELPDESK_OPENAI_API_KEY;
  }

  async summarize(prompt: string): Promise<SummaryResult> {
    if (!this.config.HELPDESK_OPENAI_API_KEY) return { ok: false, reason: 'HELPDESK_OPENAI_API_KEY is not set' };
    try {
      const response = await this.http.send({
        method: 'POST',
        url: `${this.config.HELPDESK_OPENAI_BASE_URL}/chat/completions`,
        timeoutMs: this.config.HELPDESK_OPENAI_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.config.HELPDESK_OPENAI_API_KEY}`,
        },
        body: JSON.stringify({
          model: this.config.HELPDESK_OPENAI_MODEL,
          temperature: 0.2,
          messages: [
            { role: 'system', content: SUMMARY_PROMPT },
            { role: 'user', content: truncateForOpenAI(prompt) },
          ],
        }),
      });
      if (response.status < 200 || response.status >= 300) return { ok: false, reason: `HTTP ${response.status}` };
      const content = (JSON.parse(response.body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
      if (typeof content !== 'string' || !content.trim()) return { ok: false, reason: 'no summary in the answer' };
      return { ok: true, summary: content.trim().slice(0, 4_000) };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}

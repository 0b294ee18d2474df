import { env, loadConfig } from '@switchboard/kit';
import { z } from 'zod';

const optionalText = z.string().trim().min(1).optional();

/** `HELPDESK_…` settings, validated at start-up (a bad value stops the service naming the variable). */
export const helpdeskEnvSchema = z.object({
  /** Origin the magic links and approval links point at (the gateway's in all-in-one mode). */
  HELPDESK_PUBLIC_BASE_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), { message: 'must be an http(s) URL' })
    .default('http://localhost:4000')
    .transform((v) => v.replace(/\/+$/, '')),
  /** Sender of every helpdesk e-mail (`Name <address>` or a bare address). */
  HELPDESK_MAIL_FROM: z.string().trim().min(3).default('Switchboard Support <support@switchboard.local>'),
  /** Reply-To of approval requests (the seed sends them to a person, not the support inbox). */
  HELPDESK_MAIL_REPLY_TO: optionalText,
  /** Where the friendly "link no longer valid" pages tell people to write. */
  HELPDESK_SUPPORT_EMAIL: z.string().trim().email().default('support@switchboard.local'),
  /** Name shown on pages and in e-mails. */
  HELPDESK_BRAND_NAME: z.string().trim().min(1).default('Switchboard Support'),
  /** `smtp://user:pass@host:587` or `smtps://…`. Unset: mail is queued and kept until it is set. */
  HELPDESK_SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), { message: 'must look like smtp://host:port or smtps://host:port' })
    .optional(),
  HELPDESK_MAIL_MAX_ATTEMPTS: env.positiveInt(8),
  /** First retry delay; doubles per attempt, capped at one hour. */
  HELPDESK_MAIL_RETRY_BASE_MS: env.positiveInt(30_000),
  /** Connection + greeting + socket timeout of one SMTP attempt. */
  HELPDESK_MAIL_TIMEOUT_MS: env.positiveInt(30_000),
  /** OpenAI-compatible endpoint for approval summaries (`…/v1`; `/chat/completions` is appended). */
  HELPDESK_OPENAI_BASE_URL: z.string().url().default('https://api.openai.com/v1').transform((v) => v.replace(/\/+$/, '')),
  /** Unset: no summary is requested and the draft says "summary unavailable". */
  HELPDESK_OPENAI_API_KEY: optionalText,
  HELPDESK_OPENAI_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  HELPDESK_OPENAI_TIMEOUT_MS: env.positiveInt(15_000),
  /** Days after which a pending approval gets its single reminder; 0 disables reminders. */
  HELPDESK_APPROVAL_REMINDER_DAYS: z.coerce.number().min(0).max(365).default(3),
  /** How often the reminder scan runs. */
  HELPDESK_APPROVAL_SCAN_INTERVAL_MS: env.positiveInt(15 * 60_000),
});

export type HelpdeskConfig = z.infer<typeof helpdeskEnvSchema>;

export function loadHelpdeskConfig(environment: Record<string, string | undefined>): HelpdeskConfig {
  return loadConfig(helpdeskEnvSchema, environment);
}

import { normalizeEmail } from '@switchboard/kit';

/** The user the client app says is acting. The label never comes from here: it comes from the key. */
export interface ActingUser {
  /** Normalized, or undefined when the app's user has no (valid) address. */
  email?: string;
  name?: string;
  isAdmin: boolean;
}

export const ACTING_USER_HEADERS = {
  email: 'x-helpdesk-user-email',
  name: 'x-helpdesk-user-name',
  admin: 'x-helpdesk-user-admin',
} as const;

type Headers = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim();

/**
 * Read the acting user from the request headers. A malformed value is an error rather than "no
 * user": an app that sends a broken address should hear about it, not get an empty inbox.
 */
export function parseActingUser(headers: Headers): { ok: true; user: ActingUser } | { ok: false; message: string; field: string } {
  const rawEmail = first(headers[ACTING_USER_HEADERS.email]);
  const rawName = first(headers[ACTING_USER_HEADERS.name]);
  const rawAdmin = first(headers[ACTING_USER_HEADERS.admin])?.toLowerCase();
  const user: ActingUser = { isAdmin: false };
  if (rawEmail) {
    const email = normalizeEmail(rawEmail);
    if (!email) return { ok: false, message: `${ACTING_USER_HEADERS.email} is not a valid e-mail address`, field: ACTING_USER_HEADERS.email };
    user.email = email;
  }
  if (rawName) {
    if (rawName.length > 200) return { ok: false, message: `${ACTING_USER_HEADERS.name} is longer than 200 characters`, field: ACTING_USER_HEADERS.name };
    user.name = decodeHeaderText(rawName);
  }
  if (rawAdmin !== undefined && rawAdmin !== '') {
    if (['true', '1', 'yes'].includes(rawAdmin)) user.isAdmin = true;
    else if (!['false', '0', 'no'].includes(rawAdmin)) {
      return { ok: false, message: `${ACTING_USER_HEADERS.admin} must be true or false`, field: ACTING_USER_HEADERS.admin };
    }
  }
  return { ok: true, user };
}

/** Header values are Latin-1 on the wire; apps may send UTF-8 names percent-encoded (`Ren%C3%A9`). */
function decodeHeaderText(value: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

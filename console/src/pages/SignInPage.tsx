import { useEffect, useState, type FormEvent } from 'react';
import { SignInCheckDocument } from '../graphql/generated';
import { request } from '../lib/graphql-client';
import { isExpired, sessionFromToken, signIn } from '../lib/session';

interface DevLogin {
  roles: string[];
  ttlSeconds: number;
}

/**
 * Production: paste a JWT from the identity provider (or arrive from SSO with `#access_token=`).
 * Demo mode (`GATEWAY_DEV_LOGIN=true`): pick a role and the gateway issues a short-lived token.
 */
export function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [devLogin, setDevLogin] = useState<DevLogin | null>(null);
  const [role, setRole] = useState('admin');

  useEffect(() => {
    document.title = 'Sign in · Switchboard ops console';
    const controller = new AbortController();
    fetch('/console/dev-login', { signal: controller.signal })
      .then(async (res) => (res.ok ? setDevLogin((await res.json()) as DevLogin) : setDevLogin(null)))
      .catch(() => setDevLogin(null));
    return () => controller.abort();
  }, []);

  async function acceptToken(raw: string) {
    setError(undefined);
    setBusy(true);
    try {
      const session = sessionFromToken(raw);
      if (isExpired(session)) throw new Error('This token has expired.');
      // The gateway decides: a bad signature, issuer or audience is refused here, not later.
      await request(SignInCheckDocument, {}, { token: session.token });
      signIn(session);
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function onPaste(event: FormEvent) {
    event.preventDefault();
    if (!token.trim()) {
      setError('Paste a token first.');
      return;
    }
    await acceptToken(token);
  }

  async function onDevLogin(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const res = await fetch('/console/dev-login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role }),
      });
      const body = (await res.json()) as { token?: string; error?: string };
      if (!res.ok || !body.token) throw new Error(body.error ?? `Dev sign-in answered ${res.status}.`);
      await acceptToken(body.token);
    } catch (caught) {
      setError((caught as Error).message);
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>Switchboard ops console</h1>
        <p className="muted">Sign in with the gateway's authentication.</p>
        {error && (
          <p className="action-message error" role="alert">
            {error}
          </p>
        )}
        {devLogin && (
          <form onSubmit={onDevLogin} className="dev-login" aria-labelledby="dev-login-heading">
            <h2 id="dev-login-heading">Demo sign-in</h2>
            <p className="muted">Demo mode only: a {Math.round(devLogin.ttlSeconds / 60)}-minute token for the role you pick.</p>
            <label htmlFor="dev-role">Role</label>
            <div className="inline-form">
              <select id="dev-role" value={role} onChange={(e) => setRole(e.target.value)}>
                {devLogin.roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              <button type="submit" className="button" disabled={busy}>
                Sign in as {role}
              </button>
            </div>
          </form>
        )}
        <form onSubmit={onPaste} aria-labelledby="token-heading">
          <h2 id="token-heading">Access token</h2>
          <label htmlFor="token">JWT from your identity provider</label>
          <textarea
            id="token"
            rows={4}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            placeholder="eyJhbGciOi…"
          />
          <button type="submit" className="button" disabled={busy}>
            Sign in with token
          </button>
        </form>
      </div>
    </main>
  );
}

import { useEffect } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { NavBadgesDocument } from '../graphql/generated';
import { formatDateTime } from '../lib/format';
import { hasRole, signOut, type Session } from '../lib/session';
import { onUnreadChanged } from '../lib/unread-events';
import { useQuery } from '../lib/use-graphql';

const NAV = [
  { to: '/customers', label: 'Customer 360' },
  { to: '/deliveries', label: 'Deliveries & dead letters' },
  { to: '/intake', label: 'Webhook intake' },
  { to: '/inventory', label: 'Inventory sync' },
  { to: '/billing', label: 'Billing' },
  { to: '/helpdesk', label: 'Helpdesk' },
] as const;

export function Layout({ session }: { session: Session }) {
  const helpdesk = hasRole(session, 'support', 'ops');
  const badges = useQuery(NavBadgesDocument, { helpdesk }, { pollMs: 15_000, skip: !helpdesk });
  const unread = badges.data?.helpdeskUnreadCount ?? 0;
  const refetchBadges = badges.refetch;
  useEffect(() => onUnreadChanged(() => void refetchBadges()), [refetchBadges]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Switchboard · ops</span>
        <div className="identity">
          <span title={session.expiresAt ? `Signed in until ${formatDateTime(new Date(session.expiresAt).toISOString())}` : undefined}>
            {session.email ?? session.subject}
          </span>
          <span className="roles" aria-label="Roles">
            {session.roles.join(', ') || 'no roles'}
          </span>
          <button type="button" className="button small secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Console">
        <ul>
          {NAV.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>
                {item.label}
                {item.to === '/helpdesk' && unread > 0 && (
                  <span className="badge badge-unread nav-badge" data-testid="nav-unread">
                    {unread}
                    <span className="visually-hidden"> unread</span>
                  </span>
                )}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        <Outlet />
      </main>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout';
import { currentSession, isExpired, onSessionChange, sessionFromToken, signIn, signOut, takeTokenFromFragment, type Session } from './lib/session';
import { BillingPage } from './pages/BillingPage';
import { CustomerDetailPage } from './pages/CustomerDetailPage';
import { CustomersPage } from './pages/CustomersPage';
import { DeliveriesPage } from './pages/DeliveriesPage';
import { HelpdeskPage } from './pages/HelpdeskPage';
import { IntakePage } from './pages/IntakePage';
import { InventoryPage } from './pages/InventoryPage';
import { SignInPage } from './pages/SignInPage';
import { TicketPage } from './pages/TicketPage';

function initialSession(): Session | null {
  const fromFragment = takeTokenFromFragment();
  if (fromFragment) {
    try {
      const session = sessionFromToken(fromFragment);
      if (!isExpired(session)) signIn(session);
    } catch {
      // A malformed hand-off falls through to the sign-in page.
    }
  }
  return currentSession();
}

export function App() {
  const [session, setSession] = useState<Session | null>(initialSession);
  const location = useLocation();

  useEffect(() => onSessionChange(setSession), []);
  // Sign out when the token expires, rather than failing the next request.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const timer = window.setTimeout(signOut, Math.max(0, session.expiresAt - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session]);

  if (!session) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="*" element={<Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route element={<Layout session={session} />}>
        <Route index element={<Navigate to="/customers" replace />} />
        <Route path="/sign-in" element={<Navigate to={(location.state as { from?: string } | null)?.from ?? '/customers'} replace />} />
        <Route path="/customers" element={<CustomersPage />} />
        <Route path="/customers/:email" element={<CustomerDetailPage />} />
        <Route path="/deliveries" element={<DeliveriesPage />} />
        <Route path="/intake" element={<IntakePage />} />
        <Route path="/inventory" element={<InventoryPage />} />
        <Route path="/billing" element={<BillingPage />} />
        <Route path="/helpdesk" element={<HelpdeskPage />} />
        <Route path="/helpdesk/:id" element={<TicketPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <div className="state state-empty" role="status">
      There is no such page in the console.
    </div>
  );
}

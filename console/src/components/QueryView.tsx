import type { ReactNode } from 'react';
import type { QueryState } from '../lib/use-graphql';

/** Loading, error and empty states, the same everywhere; `children` renders the data. */
export function QueryView<TData>({
  state,
  label,
  isEmpty,
  empty,
  children,
}: {
  state: QueryState<TData>;
  /** What is being loaded, for the messages ("deliveries"). */
  label: string;
  isEmpty?: (data: TData) => boolean;
  empty?: ReactNode;
  children: (data: TData) => ReactNode;
}) {
  if (state.error && !state.data) return <ErrorState error={state.error} onRetry={state.refetch} label={label} />;
  if (state.loading || !state.data) return <LoadingState label={label} />;
  return (
    <>
      {state.error && <ErrorState error={state.error} onRetry={state.refetch} label={label} compact />}
      {isEmpty?.(state.data) ? <EmptyState>{empty ?? `No ${label} yet.`}</EmptyState> : children(state.data)}
    </>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {label}…
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry, label, compact }: { error: Error; onRetry?: () => void; label: string; compact?: boolean }) {
  return (
    <div className={`state state-error${compact ? ' compact' : ''}`} role="alert">
      <strong>Could not load {label}.</strong> <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="button small" onClick={() => onRetry()}>
          Try again
        </button>
      )}
    </div>
  );
}

/** The outcome of an action (mutation), announced to screen readers. */
export function ActionMessage({ error, success }: { error?: Error; success?: string }) {
  if (error) return <p className="action-message error" role="alert">{error.message}</p>;
  if (success) return <p className="action-message success" role="status">{success}</p>;
  return null;
}

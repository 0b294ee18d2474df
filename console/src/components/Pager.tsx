import type { ReactNode } from 'react';

/** Previous / Next between pages of a list; `children` say where the reader is ("Page 2 of 5"). */
export function Pager({
  label,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  children,
}: {
  /** Names the navigation landmark ("Inbox pages"). */
  label: string;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  children: ReactNode;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button small secondary" disabled={!hasPrevious} onClick={() => onPrevious()}>
        Previous
      </button>
      <span>{children}</span>
      <button type="button" className="button small secondary" disabled={!hasNext} onClick={() => onNext()}>
        Next
      </button>
    </nav>
  );
}

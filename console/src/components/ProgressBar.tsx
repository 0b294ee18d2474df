/** A determinate progress bar with its figure written out (0–100). */
export function ProgressBar({ value, label, detail }: { value: number; label: string; detail?: string }) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span>{detail ?? `${clamped}%`}</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={clamped}
        aria-valuetext={detail ?? `${clamped}%`}
      >
        <div className="progress-fill" style={{ width: `${clamped}%` }} />
      </div>
    </div>
  );
}

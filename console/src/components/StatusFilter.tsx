/** A "Status" label and its select: "Any" (the empty value) first, then `statuses` as they are named. */
export function StatusFilter({ id, value, statuses, onChange }: { id: string; value: string; statuses: string[]; onChange: (status: string) => void }) {
  return (
    <>
      <label htmlFor={id}>Status</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {statuses.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
    </>
  );
}

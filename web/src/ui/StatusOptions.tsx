/** A conversation's statuses, as options of a select. */
const STATUSES = [
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['closed', 'Closed'],
  ['ended', 'Ended'],
] as const;

export function StatusOptions() {
  return (
    <>
      {STATUSES.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </>
  );
}

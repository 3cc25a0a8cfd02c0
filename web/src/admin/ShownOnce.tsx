/** A secret shown once, right after it was made. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <p className="secret" role="status">
      {label} (shown only now): <code>{value}</code>
    </p>
  );
}

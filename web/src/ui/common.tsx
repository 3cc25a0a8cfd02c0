/** Small pieces every page uses. */
import { useCallback, useEffect, useState } from 'react';

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

/** Why the last action failed, announced to screen readers. */
export function ErrorNote({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

/** Loads with `load`, keeps the error, and offers `run` for actions that reload afterwards. */
export function useLoaded<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => load().then(setData, (failure: Error) => setError(failure.message)), [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      setError(null);
      await reload();
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    }
  };
  return { data, error, run };
}

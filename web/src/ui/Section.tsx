import type { ReactNode } from 'react';
import { ErrorNote } from './ErrorNote.js';

/** A page's one section: its heading, why the last action failed, and its content. */
export function Section({ title, error, children }: { title: string; error: string | null; children: ReactNode }) {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{title}</h1>
      <ErrorNote error={error} />
      {children}
    </section>
  );
}

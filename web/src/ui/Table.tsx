import type { ReactNode } from 'react';

/** A table that scrolls sideways on a phone: its column headings, a last blank one for each row's buttons, and its rows. */
export function Table({ className, columns, children }: { className?: string; columns: string[]; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className={className}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

import type { ReactNode } from 'react';
import table from './table.module.css';

export type Column = string | { label: string; className?: string };

/** A scrolling table with its header row and a last, unlabelled column for row actions. */
export function DataTable({ columns, children }: { columns: readonly Column[]; children: ReactNode }) {
  return (
    <div className={table.scroll}>
      <table className={table.table}>
        <thead>
          <tr>
            {columns.map((c) => {
              const { label, className } = typeof c === 'string' ? { label: c, className: undefined } : c;
              return (
                <th key={label} scope="col" className={className}>
                  {label}
                </th>
              );
            })}
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

import type { ReactNode } from 'react';
import { StatusBadge } from './Badges';

/** A column heading: its text, or the text with how the column shows. */
export type Column =
  | string
  | {
      label: string;
      /** Right-aligned figures (amounts, latencies). */
      numeric?: boolean;
      /** Read by screen readers only, e.g. "Actions" over a column of buttons. */
      visuallyHidden?: boolean;
    };

/** A table with one heading row; `children` are its body rows. */
export function Table({ columns, children }: { columns: Column[]; children: ReactNode }) {
  return (
    <table>
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, numeric, visuallyHidden } = typeof column === 'string' ? { label: column } : column;
            return (
              <th key={label} scope="col" className={numeric ? 'num' : undefined}>
                {visuallyHidden ? <span className="visually-hidden">{label}</span> : label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A `Table` that scrolls sideways when the page is narrow; `tall` also caps its height and scrolls down. */
export function ScrollingTable({ columns, tall, children }: { columns: Column[]; tall?: boolean; children: ReactNode }) {
  return (
    <div className={tall ? 'table-wrap tall' : 'table-wrap'}>
      <Table columns={columns}>{children}</Table>
    </div>
  );
}

/** The column heading over row actions (buttons): named for screen readers, blank on screen. */
export const ACTIONS_COLUMN: Column = { label: 'Actions', visuallyHidden: true };

/** A cell with a row's status badge; `children` add details under it. */
export function StatusCell({ status, children }: { status: string | null | undefined; children?: ReactNode }) {
  return (
    <td>
      <StatusBadge status={status} />
      {children}
    </td>
  );
}

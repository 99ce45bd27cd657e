import type { ReactNode } from 'react';

/**
 * The console's data table: scrolls sideways on a narrow screen, is named for screen readers by
 * a caption sighted people do not need, and has plain column headers. `actions` adds the last
 * column for a row's buttons: visually untitled, but named "Actions".
 */
export function Table({ caption, columns, actions = false, className, children }: { caption?: string; columns: readonly string[]; actions?: boolean; className?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : 'table'}>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

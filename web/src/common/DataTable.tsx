import type { ReactNode } from 'react';
import { navigate } from '../router';
import { t } from '../i18n';
import type { Column } from './entity';

interface Props<T extends { id: number }> {
  columns: Column<T>[];
  rows: T[];
  sort?: string;
  onSort?: (field: string) => void;
  rowHref?: (r: T) => string;
  actions?: (r: T) => ReactNode;
  busy?: boolean;
  caption: string;
}

function SortIcon({ dir }: { dir: 'asc' | 'desc' | null }) {
  return (
    <svg className={`sort-icon ${dir ?? 'none'}`} viewBox="0 0 10 14" aria-hidden="true">
      <path d="M5 1l4 5H1z" className="up" />
      <path d="M5 13L1 8h8z" className="down" />
    </svg>
  );
}

/** A table with sortable headers; a row click (or Enter on a focused row) opens the record. */
export function DataTable<T extends { id: number }>({ columns, rows, sort, onSort, rowHref, actions, busy, caption }: Props<T>) {
  return (
    <div className={busy ? 'table-wrap busy' : 'table-wrap'}>
      <table className="data-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = c.sort && sort === c.sort ? 'asc' : c.sort && sort === `-${c.sort}` ? 'desc' : null;
              return (
                <th
                  key={c.key}
                  scope="col"
                  className={c.className}
                  aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                >
                  {c.sort && onSort ? (
                    <button
                      type="button"
                      className="th-sort"
                      data-sort={c.sort}
                      title={t('common.sortBy', { field: t(c.label) })}
                      onClick={() => onSort(c.sort as string)}
                    >
                      {t(c.label)}
                      <SortIcon dir={dir} />
                    </button>
                  ) : (
                    t(c.label)
                  )}
                </th>
              );
            })}
            {actions && (
              <th scope="col" className="col-actions">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const to = rowHref?.(r);
            return (
              <tr
                key={r.id}
                data-id={r.id}
                className={to ? 'clickable' : undefined}
                tabIndex={to ? 0 : undefined}
                onClick={(e) => {
                  if (!to) return;
                  if ((e.target as HTMLElement).closest('a,button,input,select')) return;
                  navigate(to);
                }}
                onKeyDown={(e) => {
                  if (to && e.key === 'Enter' && e.target === e.currentTarget) navigate(to);
                }}
              >
                {columns.map((c, i) => (
                  <td key={c.key} className={c.className}>
                    {i === 0 && to ? (
                      <a href={`#${to}`} className="row-link" tabIndex={-1}>
                        {c.render(r)}
                      </a>
                    ) : (
                      c.render(r)
                    )}
                  </td>
                ))}
                {actions && <td className="col-actions">{actions(r)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

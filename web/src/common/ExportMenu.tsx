import { useEffect, useRef } from 'react';
import { records, type Query } from '../api';
import { t } from '../i18n';
import { can, isHidden, type RightsEntity } from '../rights';
import type { Column } from './entity';

/**
 * The API columns a list's visible columns stand for (Column.export, else its field or key),
 * after the id, without what the role hides: a hidden field, or the name beside a hidden id.
 */
export function exportColumns<T>(entity: RightsEntity, columns: Column<T>[]): string[] {
  const out = ['id'];
  for (const c of columns) {
    for (const f of c.export ?? [c.field ?? c.key]) {
      const idOf = f.endsWith('_name') ? `${f.slice(0, -'_name'.length)}_id` : null;
      if (out.includes(f) || isHidden(entity, f) || (idOf !== null && isHidden(entity, idOf))) continue;
      out.push(f);
    }
  }
  return out;
}

interface Props {
  entity: Exclude<RightsEntity, 'tickets'>;
  /** The list's query as it stands: search, sort and filters (paging is dropped). */
  query: Query;
  /** The API columns, in the list's order (exportColumns). */
  columns: string[];
}

/**
 * "Export" with CSV and XLSX: plain download links of the list as it stands, so the browser
 * streams the file to disk; shown only to a role with the export right (the server decides
 * anyway, and records every export in the audit log).
 */
export function ExportMenu({ entity, query, columns }: Props) {
  const ref = useRef<HTMLDetailsElement>(null);
  // A click anywhere else closes the menu, as menus do.
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) ref.current.open = false;
    };
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, []);
  if (!can(entity, 'export')) return null;
  const href = (format: 'csv' | 'xlsx') => records.exportUrl(entity, query, format, columns);
  return (
    <details className="export-menu" ref={ref}>
      <summary className="btn btn-ghost" title={t('export.hint')}>
        <DownloadIcon /> {t('export.menu')}
      </summary>
      <div className="export-menu-list" role="menu">
        {(['csv', 'xlsx'] as const).map((f) => (
          <a key={f} role="menuitem" href={href(f)} download onClick={() => ref.current && (ref.current.open = false)}>
            {t(f === 'csv' ? 'export.csv' : 'export.xlsx')}
          </a>
        ))}
      </div>
    </details>
  );
}

function DownloadIcon() {
  return (
    <svg className="inline-icon" viewBox="0 0 20 20" aria-hidden="true">
      <path d="M10 3v9M6 8l4 4 4-4M4 15h12" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

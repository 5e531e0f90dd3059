import { t } from '../i18n';
import { can } from '../rights';
import { reports, type LibraryEntity } from './reportsApi';

/**
 * CSV and XLSX of a report as it runs now: plain download links, shown to a role with the
 * export right on the report's base entity (the server checks it again and records the export).
 */
export function ExportLinks({ id, entity, query }: { id: number; entity: LibraryEntity; query: Record<string, string> }) {
  if (!can(entity, 'export')) return null;
  return (
    <span className="report-export" role="group" aria-label={t('export.menu')}>
      {(['csv', 'xlsx'] as const).map((f) => (
        <a key={f} className="btn btn-sm" href={reports.exportUrl(id, f, query)} download data-format={f}>
          {t(f === 'csv' ? 'rw.exportCsv' : 'rw.exportXlsx')}
        </a>
      ))}
    </span>
  );
}

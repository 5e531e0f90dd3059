import { t, type Key } from '../i18n';
import { can } from '../rights';
import { reports, type ExportFormat, type LibraryEntity } from './reportsApi';

const LABEL: Record<ExportFormat, Key> = { csv: 'rw.exportCsv', xlsx: 'rw.exportXlsx', pdf: 'rw.exportPdf' };

/**
 * CSV, XLSX and PDF (its chart drawn by the server) of a report as it runs now: plain download
 * links, shown to a role with the export right on the report's base entity (the server checks it
 * again and records the export).
 */
export function ExportLinks({ id, entity, query }: { id: number; entity: LibraryEntity; query: Record<string, string> }) {
  if (!can(entity, 'export')) return null;
  return (
    <span className="report-export" role="group" aria-label={t('export.menu')}>
      {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
        <a key={f} className="btn btn-sm" href={reports.exportUrl(id, f, query)} download data-format={f}>
          {t(LABEL[f])}
        </a>
      ))}
    </span>
  );
}

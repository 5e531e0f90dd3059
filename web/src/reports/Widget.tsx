import { useEffect, useState } from 'react';
import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { BUILTINS } from './library';
import { reportName } from './names';
import { ReportAnswer } from './ReportAnswer';
import { reports, viewerZone, type SavedReport } from './reportsApi';
import { useRun } from './useRun';

interface Props {
  id: number;
  /** Bumped by the dashboard's Refresh: every widget runs again. */
  tick: number;
  onUnpin: () => void;
  onMove: (by: -1 | 1) => void;
}

/** One pinned report on the dashboard: its chart, run with the viewer's rights and defaults. */
export function Widget({ id, tick, onUnpin, onMove }: Props) {
  const [report, setReport] = useState<SavedReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    reports
      .get(id, ctl.signal)
      .then((r) => setReport(r.data))
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, [id]);
  const run = useRun(report ? (signal) => reports.run(id, { tz: viewerZone() }, signal) : null, String(id), tick);
  const name = report ? reportName(report) : `#${id}`;
  const entity = report?.definition?.entity ?? (report?.builtin ? BUILTINS[report.builtin]?.entity : undefined) ?? 'deals';
  const problem = error ?? run.error;
  return (
    <section className="card widget" aria-label={name} data-widget={id}>
      <header className="widget-header">
        <h2 className="card-title">
          <a href={`#/reports/${id}`}>{name}</a>
        </h2>
        <div className="widget-actions">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => onMove(-1)} aria-label={t('rw.moveEarlier', { name })}>
            ←
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => onMove(1)} aria-label={t('rw.moveLater', { name })}>
            →
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onUnpin} aria-label={t('rw.unpinName', { name })}>
            ×
          </button>
        </div>
      </header>
      {problem !== null ? (
        <ErrorBanner error={problem} />
      ) : run.answer === null ? (
        <div className="placeholder">{t('common.loading')}</div>
      ) : (
        <ReportAnswer answer={run.answer} entity={entity} title={name} chart={report?.definition?.chart} compact />
      )}
    </section>
  );
}

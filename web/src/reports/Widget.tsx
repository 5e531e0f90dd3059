import { useEffect, useState } from 'react';
import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { SIZE_MAX, type Size } from './dashboardApi';
import { BUILTINS } from './library';
import { reportName } from './names';
import { ReportAnswer } from './ReportAnswer';
import { reports, viewerZone, type SavedReport } from './reportsApi';
import { useRun } from './useRun';

interface Props {
  id: number;
  /** Bumped by the dashboard's Refresh: every widget runs again. */
  tick: number;
  /** Its cells in the grid (the stored layout's); resized with buttons, not only by pointer. */
  size: Size;
  onUnpin: () => void;
  onMove: (by: -1 | 1) => void;
  onResize: (size: Size) => void;
}

/** One pinned report on the dashboard: its chart, run with the viewer's rights and defaults. */
export function Widget({ id, tick, size, onUnpin, onMove, onResize }: Props) {
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
    <section
      className="card widget"
      aria-label={name}
      data-widget={id}
      data-size={`${size.w}x${size.h}`}
      style={{ gridColumn: `span ${size.w}`, gridRow: `span ${size.h}` }}
    >
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
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => onResize({ ...size, w: size.w - 1 })}
            disabled={size.w <= 1}
            aria-label={t('rw.narrower', { name })}
          >
            ⇤
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => onResize({ ...size, w: size.w + 1 })}
            disabled={size.w >= SIZE_MAX.w}
            aria-label={t('rw.wider', { name })}
          >
            ⇥
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => onResize({ ...size, h: size.h === 1 ? 2 : 1 })}
            aria-label={size.h === 1 ? t('rw.taller', { name }) : t('rw.shorter', { name })}
          >
            {size.h === 1 ? '⇣' : '⇡'}
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

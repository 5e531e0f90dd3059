import { useEffect, useState } from 'react';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { dashboard, moved } from './dashboardApi';
import { ReportsTabs } from './ReportsTabs';
import { Widget } from './Widget';

/** #/reports/dashboard: the reports the user pinned, as a grid of charts; Refresh runs them all again. */
export function Dashboard() {
  useTitle(t('rw.dashboard'));
  const [ids, setIds] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    dashboard
      .get(ctl.signal)
      .then((d) => setIds(d.report_ids))
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, []);
  const save = (next: number[]) => {
    const was = ids;
    setIds(next);
    dashboard
      .put(next)
      .then((d) => setIds(d.report_ids))
      .catch((e) => {
        setIds(was);
        setError(e);
      });
  };
  return (
    <section className="page page-wide">
      <header className="page-header">
        <h1>{t('rw.title')}</h1>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => setTick((x) => x + 1)} disabled={!ids?.length}>
            {t('rw.refresh')}
          </button>
        </div>
      </header>
      <ReportsTabs current="dashboard" />
      {error !== null && <ErrorBanner error={error} />}
      {ids === null ? (
        error === null && <div className="card placeholder">{t('common.loading')}</div>
      ) : ids.length === 0 ? (
        <div className="card empty-state">
          <p>{t('rw.dashboardEmpty')}</p>
          <a className="btn" href="#/reports">
            {t('rw.library')}
          </a>
        </div>
      ) : (
        <div className="widget-grid">
          {ids.map((id) => (
            <Widget key={id} id={id} tick={tick} onUnpin={() => save(ids.filter((x) => x !== id))} onMove={(by) => save(moved(ids, id, by))} />
          ))}
        </div>
      )}
    </section>
  );
}

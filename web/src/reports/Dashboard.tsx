import { useState } from 'react';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { move, pinned, unpin } from './pins';
import { ReportsTabs } from './ReportsTabs';
import { Widget } from './Widget';

/** #/reports/dashboard: the reports the user pinned, as a grid of charts; Refresh runs them all again. */
export function Dashboard() {
  useTitle(t('rw.dashboard'));
  const [ids, setIds] = useState(pinned);
  const [tick, setTick] = useState(0);
  const change = (f: () => void) => {
    f();
    setIds(pinned());
  };
  return (
    <section className="page page-wide">
      <header className="page-header">
        <h1>{t('rw.title')}</h1>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => setTick((x) => x + 1)} disabled={ids.length === 0}>
            {t('rw.refresh')}
          </button>
        </div>
      </header>
      <ReportsTabs current="dashboard" />
      {ids.length === 0 ? (
        <div className="card empty-state">
          <p>{t('rw.dashboardEmpty')}</p>
          <a className="btn" href="#/reports">
            {t('rw.library')}
          </a>
        </div>
      ) : (
        <div className="widget-grid">
          {ids.map((id) => (
            <Widget key={id} id={id} tick={tick} onUnpin={() => change(() => unpin(id))} onMove={(by) => change(() => move(id, by))} />
          ))}
        </div>
      )}
    </section>
  );
}

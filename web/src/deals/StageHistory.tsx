import { useEffect, useState } from 'react';
import { sales, type Deal, type StageHistory as History } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { formatDuration } from './duration';

/** Every stage the deal went through (entered, by whom, how long), and the total per stage as bars. */
export function StageHistory({ deal }: { deal: Deal }) {
  const [h, setH] = useState<History | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    sales
      .stages(deal.id, ctl.signal)
      .then((x) => {
        setH(x);
        setError(null);
      })
      .catch((e) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      });
    return () => ctl.abort();
  }, [deal.id, deal.version]);

  const longest = Math.max(1, ...(h?.by_stage ?? []).map((s) => s.duration_ms));
  return (
    <section className="card" aria-labelledby="stage-history-title">
      <h2 className="card-title" id="stage-history-title">
        {t('deals.history')}
      </h2>
      {error !== null && <ErrorBanner error={error} />}
      {h === null && error === null && <p className="muted">{t('common.loading')}</p>}
      {h !== null && h.data.length === 0 && <p className="muted">{t('deals.historyEmpty')}</p>}
      {h !== null && h.data.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="data-table stage-history">
              <caption className="sr-only">{t('deals.history')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.stage')}</th>
                  <th scope="col">{t('deals.entered')}</th>
                  <th scope="col">{t('deals.by')}</th>
                  <th scope="col" className="num">
                    {t('deals.timeSpent')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...h.data].reverse().map((v) => (
                  <tr key={`${v.stage_id}-${v.entered_at}`} data-stage={v.stage_id}>
                    <td>{v.stage_name}</td>
                    <td className="nowrap">{formatDateTime(v.entered_at)}</td>
                    <td>{v.entered_by_name ?? (v.entered_by ? `#${v.entered_by}` : '')}</td>
                    <td className="nowrap num">
                      {formatDuration(v.duration_ms)}
                      {v.left_at === null && <span className="muted small"> · {t('deals.stillHere')}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3 className="subhead">{t('deals.totalPerStage')}</h3>
          <dl className="stage-totals">
            {h.by_stage.map((s) => (
              <div key={s.stage_id} className="stage-total" data-stage={s.stage_id}>
                <dt>{s.stage_name}</dt>
                <dd>
                  <span className="stage-total-bar" style={{ width: `${Math.max(2, (s.duration_ms / longest) * 100)}%` }} aria-hidden="true" />
                  <span className="stage-total-text">
                    {formatDuration(s.duration_ms)}
                    {s.visits > 1 && <span className="muted"> · {t('deals.visits')}: {s.visits}</span>}
                  </span>
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

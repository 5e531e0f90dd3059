import { useEffect, useState } from 'react';
import { ApiError, sales, type Funnel } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { usePipelines } from '../common/salesInputs';
import { formatDate } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { FunnelChart } from './FunnelChart';
import { FunnelFilters } from './FunnelFilters';
import { FunnelTable } from './FunnelTable';
import { presetRange } from './period';
import { formatShare } from './share';

/** #/reports/funnel?pipeline_id=&from=&to=&owner_id=&department_id=&source= */
export function FunnelScreen({ query }: { query: URLSearchParams }) {
  useTitle(t('funnel.title'));
  const pipelines = usePipelines();
  const [funnel, setFunnel] = useState<Funnel | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  const year = presetRange('year');
  const fallback = pipelines?.find((p) => !p.archived) ?? pipelines?.[0];
  const params: Record<string, string> = {
    pipeline_id: query.get('pipeline_id') ?? (fallback ? String(fallback.id) : ''),
    from: query.get('from') ?? year.from,
    to: query.get('to') ?? year.to,
    owner_id: query.get('owner_id') ?? '',
    department_id: query.get('department_id') ?? '',
    source: query.get('source') ?? '',
  };
  const key = JSON.stringify(params);

  useEffect(() => {
    if (!params.pipeline_id) return;
    const ctl = new AbortController();
    sales
      .funnel(params, ctl.signal)
      .then((f) => {
        setFunnel(f);
        setError(null);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
      });
    return () => ctl.abort();
  }, [key, tick]);

  const missing = error instanceof ApiError && error.status === 404 && error.detail.includes('API path');
  return (
    <section className="page page-wide">
      <header className="page-header">
        <div>
          <h1>{t('funnel.title')}</h1>
          {funnel && (
            <div className="subtitle">
              {funnel.pipeline.name} · {t('funnel.cohort', { from: formatDate(funnel.from ?? params.from), to: formatDate(funnel.to ?? params.to) })}
            </div>
          )}
        </div>
      </header>
      <FunnelFilters params={params} onChange={(p) => navigate('/reports/funnel', p)} />
      {error !== null ? (
        <ErrorBanner message={missing ? t('funnel.unavailable') : undefined} error={error}>
          <button type="button" className="btn btn-sm" onClick={() => setTick((x) => x + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      ) : funnel === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : funnel.total === 0 ? (
        <div className="card empty-state">
          <p>{t('funnel.empty')}</p>
        </div>
      ) : (
        <>
          {funnel.unconverted > 0 && (
            <div className="banner banner-info" role="note">
              <div className="banner-body">{t('funnel.unconverted', { n: funnel.unconverted })}</div>
            </div>
          )}
          <div className="funnel-layout">
            <section className="card" aria-label={t('funnel.chart')}>
              <FunnelChart funnel={funnel} />
            </section>
            <div className="funnel-side card">
              <dl className="details compact">
                <div className="detail">
                  <dt>{t('funnel.total')}</dt>
                  <dd className="big-number">{funnel.total}</dd>
                </div>
                <div className="detail">
                  <dt>{t('funnel.endToEnd')}</dt>
                  <dd className="big-number" data-end-to-end>
                    {funnel.end_to_end === null ? '—' : formatShare(funnel.end_to_end)}
                  </dd>
                </div>
              </dl>
            </div>
          </div>
          <FunnelTable funnel={funnel} />
        </>
      )}
    </section>
  );
}

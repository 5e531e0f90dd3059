import { useEffect, useState } from 'react';
import { desk, type SupportReport } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { formatNumber } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { formatMinutes } from '../tickets/sla';
import { SupportBars } from './SupportBars';
import '../tickets/tickets.css';

const STATUSES = ['new', 'open', 'waiting', 'reopened'] as const;
const AGES = ['lt_1d', '1d_3d', '3d_7d', 'gt_7d'] as const;
const TEAM_SERIES = ['open', 'resolved', 'breached'] as const;

function setParam(query: URLSearchParams, name: string, value: string) {
  const q = new URLSearchParams(query);
  if (value) q.set(name, value);
  else q.delete(name);
  const s = q.toString();
  navigate(`/reports/support${s ? `?${s}` : ''}`);
}

/** #/reports/support?from=&to=: open tickets, SLA compliance, response times, satisfaction, per agent and queue. */
export function SupportScreen({ query }: { query: URLSearchParams }) {
  useTitle(t('support.title'));
  const [report, setReport] = useState<SupportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';

  useEffect(() => {
    let live = true;
    desk
      .report({ from, to })
      .then((r) => {
        if (!live) return;
        setReport(r);
        setError(null);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [from, to]);

  const minutes = (m: number | null) => (m === null ? '—' : formatMinutes(m));
  return (
    <section className="page page-wide desk-page">
      <header className="page-header">
        <div>
          <h1>{t('support.title')}</h1>
        </div>
        <div className="desk-filters">
          <label>
            <span>{t('support.from')}</span>
            <input type="date" value={from} onChange={(e) => setParam(query, 'from', e.target.value)} />
          </label>
          <label>
            <span>{t('support.to')}</span>
            <input type="date" value={to} onChange={(e) => setParam(query, 'to', e.target.value)} />
          </label>
        </div>
      </header>
      {error !== null && <ErrorBanner error={error} />}
      {report === null && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {report && (
        <>
          <div className="support-kpis">
            <div className="card support-kpi" data-kpi="open">
              <span className="muted">{t('support.open')}</span>
              <strong>{formatNumber(report.open.total)}</strong>
            </div>
            <div className="card support-kpi" data-kpi="compliance">
              <span className="muted">{t('support.compliance')}</span>
              <strong>{report.sla.compliance_pct === null ? '—' : `${report.sla.compliance_pct}%`}</strong>
              <span className="muted">{t('support.metOf', { met: report.sla.met, n: report.sla.met + report.sla.breached })}</span>
            </div>
            <div className="card support-kpi" data-kpi="first-response">
              <span className="muted">{t('support.firstResponse')}</span>
              <strong>{minutes(report.first_response_min.median)}</strong>
              <span className="muted">{t('support.median', { n: report.first_response_min.count })}</span>
            </div>
            <div className="card support-kpi" data-kpi="resolution">
              <span className="muted">{t('support.resolution')}</span>
              <strong>{minutes(report.resolution_min.median)}</strong>
              <span className="muted">{t('support.median', { n: report.resolution_min.count })}</span>
            </div>
            <div className="card support-kpi" data-kpi="satisfaction">
              <span className="muted">{t('support.satisfaction')}</span>
              <strong>{report.satisfaction.average === null ? '—' : `${report.satisfaction.average} / 5`}</strong>
              <span className="muted">{t('support.ratings', { n: report.satisfaction.count })}</span>
            </div>
          </div>
          <div className="support-grid">
            <div className="card">
              <h2>{t('support.byStatus')}</h2>
              <SupportBars
                title={t('support.byStatus')}
                empty={t('support.empty')}
                series={['open']}
                rows={STATUSES.map((s) => ({ key: s, label: t(`desk.status.${s}`), values: [report.open.by_status[s] ?? 0] }))}
              />
            </div>
            <div className="card">
              <h2>{t('support.byAge')}</h2>
              <SupportBars
                title={t('support.byAge')}
                empty={t('support.empty')}
                series={['open']}
                rows={AGES.map((a) => ({ key: a, label: t(`support.age.${a}`), values: [report.open.by_age[a] ?? 0] }))}
              />
            </div>
            <div className="card">
              <h2>{t('support.agents')}</h2>
              <SupportBars
                title={t('support.agents')}
                empty={t('support.empty')}
                series={TEAM_SERIES}
                rows={report.agents.map((a) => ({ key: String(a.user_id), label: a.name, values: [a.open, a.resolved, a.breached] }))}
              />
              <Legend />
            </div>
            <div className="card">
              <h2>{t('support.queues')}</h2>
              <SupportBars
                title={t('support.queues')}
                empty={t('support.noQueues')}
                series={TEAM_SERIES}
                rows={report.queues.map((q) => ({ key: String(q.queue_id), label: q.name, values: [q.open, q.resolved, q.breached] }))}
              />
              <Legend />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function Legend() {
  return (
    <p className="support-legend">
      {TEAM_SERIES.map((s) => (
        <span key={s}>
          <i className={`support-bar bar-${s}`} style={{ background: s === 'open' ? 'var(--primary)' : s === 'resolved' ? 'var(--success)' : 'var(--danger)' }} />
          {t(`support.series.${s}`)}
        </span>
      ))}
    </p>
  );
}

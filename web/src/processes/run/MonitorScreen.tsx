import './run.css';
import { useEffect, useState } from 'react';
import { processes, processRuns, type ProcessInstance, type ProcessTemplateSummary, type StepStats } from '../../api';
import { useDirectory } from '../../audit/useDirectory';
import { userName } from '../../audit/describe';
import { ErrorBanner } from '../../common/ErrorBanner';
import { useTitle } from '../../common/hooks';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { formatSpan, statusLabel } from './runText';

const STATUSES = ['running', 'overdue', 'completed', 'cancelled', 'failed'] as const;

/** #/processes?status=&template_id=: the instances, and per template where the time goes. */
export function MonitorScreen({ query }: { query: URLSearchParams }) {
  useTitle(t('prun.monitor'));
  const dir = useDirectory();
  const status = query.get('status') ?? 'running';
  const templateId = Number(query.get('template_id')) || null;
  const [templates, setTemplates] = useState<ProcessTemplateSummary[]>([]);
  const [rows, setRows] = useState<ProcessInstance[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    processes.list('active').then(setTemplates).catch(() => setTemplates([]));
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    setRows(null);
    processRuns
      .list({ status, template_id: templateId }, ctl.signal)
      .then((r) => (setRows(r), setError(null)))
      .catch((e: unknown) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, [status, templateId]);

  function go(st: string, tid: string) {
    navigate('/processes', tid ? { status: st, template_id: tid } : { status: st });
  }

  const now = Date.now();
  return (
    <section className="page prun-monitor">
      <header className="page-header">
        <h1>{t('prun.monitor')}</h1>
        <div className="page-actions">
          <label className="field-inline">
            <span>{t('prun.template')}</span>
            <select className="input" value={templateId ?? ''} onChange={(e) => go(status, e.target.value)}>
              <option value="">{t('prun.allTemplates')}</option>
              {templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span>{t('prun.statusLabel')}</span>
            <select className="input" value={status} onChange={(e) => go(e.target.value, templateId ? String(templateId) : '')}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === 'overdue' ? t('prun.overdue') : statusLabel(s)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      {error !== null && <ErrorBanner error={error} />}
      {rows === null && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {rows !== null && (
        <div className="card table-card">
        <table className="data-table prun-table" aria-label={t('prun.instances')}>
          <thead>
            <tr>
              <th>{t('prun.template')}</th>
              <th>{t('prun.recordCol')}</th>
              <th>{t('prun.statusLabel')}</th>
              <th>{t('prun.currentStep')}</th>
              <th>{t('prun.holder')}</th>
              <th>{t('prun.waiting')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="placeholder">
                  {t('prun.none')}
                </td>
              </tr>
            )}
            {rows.map((r) => {
              // Stuck: still waiting after its deadline passed.
              const stuck = r.status === 'running' && r.due_at !== null && Date.parse(r.due_at) < now;
              return (
                <tr key={r.id} className={r.overdue || stuck ? 'prun-overdue' : undefined}>
                  <td>
                    <a href={`#/processes/${r.id}`}>{r.template_name}</a>
                  </td>
                  <td>
                    <a href={`#/${r.entity}/${r.record_id}`}>{r.record_name || t('prun.record', { entity: r.entity, id: r.record_id })}</a>
                  </td>
                  <td>
                    <span className={`prun-status prun-${r.status}`}>{statusLabel(r.status)}</span>
                    {(r.overdue || stuck) && ` · ${t('prun.stuck')}`}
                  </td>
                  <td>{r.current_step_name ?? ''}</td>
                  <td>{r.assignee_id !== null ? userName(dir, r.assignee_id) : ''}</td>
                  <td>{r.waiting_since ? formatDateTime(r.waiting_since) : r.finished_at ? formatDateTime(r.finished_at) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
      {templates
        .filter((x) => templateId === null || x.id === templateId)
        .map((x) => (
          <TemplateStats key={x.id} template={x} />
        ))}
    </section>
  );
}

/** Average and longest time per step of one template, as bars scaled to the longest. */
function TemplateStats({ template }: { template: ProcessTemplateSummary }) {
  const [stats, setStats] = useState<StepStats[] | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    processRuns
      .stats(template.id, ctl.signal)
      .then(setStats)
      .catch(() => setStats([]));
    return () => ctl.abort();
  }, [template.id]);
  if (!stats || stats.every((s) => s.count === 0 && s.waiting === 0)) return null;
  const top = Math.max(1, ...stats.map((s) => s.max_ms));
  return (
    <section className="card prun-stats" aria-label={t('prun.statsOf', { name: template.name })}>
      <h2>{t('prun.statsOf', { name: template.name })}</h2>
      <ul>
        {stats.map((s) => (
          <li key={s.step_id}>
            <div className="prun-stats-name">
              {s.name}
              <span className="prun-meta">
                {' '}
                {t('prun.statsLine', { count: s.count, avg: formatSpan(s.avg_ms), max: formatSpan(s.max_ms), waiting: s.waiting, overdue: s.overdue })}
              </span>
            </div>
            <div className="prun-bar" title={formatSpan(s.max_ms)}>
              <div className="prun-bar-max" style={{ width: `${(100 * s.max_ms) / top}%` }} />
              <div className="prun-bar-avg" style={{ width: `${(100 * s.avg_ms) / top}%` }} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

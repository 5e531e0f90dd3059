import './run.css';
import { useCallback, useEffect, useState } from 'react';
import { processes, processRuns, type ProcessInstance, type ProcessTemplateSummary, type RunEntity } from '../../api';
import { useDirectory } from '../../audit/useDirectory';
import { userName } from '../../audit/describe';
import { errorText } from '../../common/ErrorBanner';
import { useToast } from '../../common/Toast';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { statusLabel } from './runText';

interface Props {
  entity: RunEntity;
  id: number;
}

/** A record's processes: start one of the active templates for its entity, and the instances on it. */
export function ProcessesCard({ entity, id }: Props) {
  const toast = useToast();
  const dir = useDirectory();
  const [rows, setRows] = useState<ProcessInstance[] | null>(null);
  const [templates, setTemplates] = useState<ProcessTemplateSummary[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    (signal?: AbortSignal) =>
      processRuns
        .list({ record: `${entity}:${id}` }, signal)
        .then(setRows)
        .catch(() => setRows([])),
    [entity, id],
  );

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    processes
      .list('active')
      .then((l) => setTemplates(l.filter((x) => x.entity === entity && x.valid)))
      .catch(() => setTemplates([]));
    return () => ctl.abort();
  }, [entity, load]);

  async function start() {
    const tid = Number(choice);
    if (!tid) return;
    setBusy(true);
    try {
      const inst = await processRuns.start(tid, entity, id);
      toast(t('prun.started', { name: inst.template_name }));
      setChoice('');
      void load();
    } catch (e) {
      toast(t('prun.startFailed', { reason: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card prun-card" aria-label={t('prun.card')}>
      <header className="card-header">
        <h2>{t('prun.card')}</h2>
        {templates.length > 0 && (
          <div className="prun-start">
            <select aria-label={t('prun.template')} value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">{t('prun.pick')}</option>
              {templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-sm btn-primary" disabled={busy || !choice} onClick={() => void start()}>
              {t('prun.start')}
            </button>
          </div>
        )}
      </header>
      {rows === null && <div className="placeholder">{t('common.loading')}</div>}
      {rows !== null && rows.length === 0 && <div className="placeholder">{t('prun.none')}</div>}
      {rows !== null && rows.length > 0 && (
        <ul className="prun-list">
          {rows.map((r) => (
            <li key={r.id} className={r.overdue ? 'prun-overdue' : undefined}>
              <a href={`#/processes/${r.id}`} onClick={(e) => (e.preventDefault(), navigate(`/processes/${r.id}`))}>
                {r.template_name}
              </a>{' '}
              <span className={`prun-status prun-${r.status}`}>{statusLabel(r.status)}</span>
              {r.status === 'running' && r.current_step_name && (
                <span className="prun-meta">
                  {' '}
                  {r.current_step_name}
                  {r.assignee_id !== null && ` · ${userName(dir, r.assignee_id)}`}
                  {r.waiting_since && ` · ${t('prun.since', { at: formatDateTime(r.waiting_since) })}`}
                  {r.overdue && ` · ${t('prun.overdue')}`}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

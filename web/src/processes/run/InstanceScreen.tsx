import '../processes.css';
import './run.css';
import { useCallback, useEffect, useState } from 'react';
import { currentUser, processes, processRuns, type ProcessInstance, type RunStep } from '../../api';
import { Canvas } from '../Canvas';
import type { Definition } from '../types';
import { useDirectory } from '../../audit/useDirectory';
import { userName } from '../../audit/describe';
import { ConfirmDialog } from '../../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../../common/ErrorBanner';
import { useTitle } from '../../common/hooks';
import { useToast } from '../../common/Toast';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { statusLabel, stepStatusLabel } from './runText';
import { StepActions } from './StepActions';

/** How a step is coloured: a waiting step past its deadline is overdue. */
function stepClass(s: RunStep, now: number): string {
  if (s.status === 'waiting' && s.due_at && Date.parse(s.due_at) < now) return 'prun-step prun-step-overdue';
  return `prun-step prun-step-${s.status}`;
}

/** Each step of the graph as far as the instance got: its latest run decides. */
function marksOf(steps: RunStep[], now: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of steps) {
    const overdue = s.status === 'waiting' && s.due_at !== null && Date.parse(s.due_at) < now;
    m.set(s.step_id, overdue ? 'overdue' : s.status);
  }
  return m;
}

const noop = () => {};

/** #/processes/7: one running (or finished) process: its steps in order, the waiting step's actions. */
export function InstanceScreen({ id }: { id: number }) {
  const toast = useToast();
  const dir = useDirectory();
  const me = currentUser();
  const [inst, setInst] = useState<ProcessInstance | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState(false);
  const [def, setDef] = useState<Definition | null>(null);
  useTitle(inst ? inst.template_name : t('prun.instance'));

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setInst(await processRuns.get(id, signal));
      setError(null);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  // The graph of the version the instance runs; without it the steps' list still tells all.
  const templateId = inst?.template_id;
  const version = inst?.version;
  useEffect(() => {
    if (templateId === undefined || version === undefined) return;
    let live = true;
    processes
      .version(templateId, version)
      .then((v) => live && setDef(v.definition as unknown as Definition))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [templateId, version]);

  async function cancel() {
    setConfirm(false);
    try {
      setInst(await processRuns.cancel(id));
      toast(t('prun.cancelled'));
    } catch (e) {
      toast(t('prun.actionFailed', { reason: errorText(e) }));
    }
  }

  if (error !== null) {
    return (
      <section className="page">
        <ErrorBanner error={error} />
      </section>
    );
  }
  if (!inst) return <section className="page"><div className="card placeholder">{t('common.loading')}</div></section>;
  const now = Date.now();
  const steps = inst.steps ?? [];
  const mayCancel = inst.status === 'running' && (me?.is_admin || (me !== null && inst.owner_id === me.id));

  return (
    <section className="page prun-instance">
      <header className="page-header">
        <div>
          <h1>{inst.template_name}</h1>
          <div className="subtitle">
            <a href={`#/${inst.entity}/${inst.record_id}`}>{inst.record_name || t('prun.record', { entity: inst.entity, id: inst.record_id })}</a>
            {' · '}
            <span className={`prun-status prun-${inst.status}`}>{statusLabel(inst.status)}</span>
            {' · '}
            {t('prun.startedAt', { at: formatDateTime(inst.started_at) })}
          </div>
        </div>
        <div className="page-actions">
          {mayCancel && (
            <button type="button" className="btn" onClick={() => setConfirm(true)}>
              {t('prun.cancel')}
            </button>
          )}
        </div>
      </header>
      {inst.error && <ErrorBanner message={inst.error} />}
      {def && (
        <div className="card prun-graph">
          <Canvas
            def={def}
            selection={null}
            errors={new Map()}
            readOnly
            marks={marksOf(steps, now)}
            onSelect={noop}
            onChange={noop}
            onRemoveStep={noop}
            onDropKind={noop}
          />
        </div>
      )}
      <ol className="prun-steps" aria-label={t('prun.history')}>
        {steps.map((s) => (
          <li key={s.id} className={stepClass(s, now)} data-step={s.step_id}>
            <div className="prun-step-head">
              <strong>{s.name}</strong> <span className="prun-step-status">{stepStatusLabel(s.status)}</span>
            </div>
            <div className="prun-meta">
              {s.assignee_id !== null && <span>{s.assignee_name ?? userName(dir, s.assignee_id)} · </span>}
              {formatDateTime(s.started_at)}
              {s.due_at && ` · ${t('prun.due', { at: formatDateTime(s.due_at) })}`}
              {s.done_at && ` → ${formatDateTime(s.done_at)}`}
              {s.done_by !== null && ` · ${userName(dir, s.done_by)}`}
              {s.outcome && ` · ${t('prun.outcome', { outcome: s.outcome })}`}
            </div>
            {s.task_id !== null && (
              <div className="prun-task">
                <a href={`#/activities/${s.task_id}`}>{t('prun.openTask')}</a>
              </div>
            )}
            {s.comment && <div className="prun-comment">{s.comment}</div>}
            {s.status === 'waiting' && me !== null && s.assignee_id === me.id && (s.kind === 'task' || s.kind === 'approval') && (
              <StepActions stepId={s.id} kind={s.kind} onDone={(i) => (setInst(i), void load())} />
            )}
          </li>
        ))}
      </ol>
      {confirm && (
        <ConfirmDialog
          title={t('prun.cancelTitle')}
          message={t('prun.cancelText')}
          confirmLabel={t('prun.cancel')}
          onConfirm={() => void cancel()}
          onCancel={() => setConfirm(false)}
        />
      )}
    </section>
  );
}

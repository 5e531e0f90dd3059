import './run.css';
import type { WaitingStep } from '../../api';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { StepActions } from './StepActions';

interface Props {
  steps: WaitingStep[];
  /** Whether the day shown is the viewer's own (only the holder acts on a step). */
  own: boolean;
  onChange: () => void;
}

/** My day's process steps: the tasks and approvals waiting for the user, each with its actions. */
export function ProcessStepsSection({ steps, own, onChange }: Props) {
  return (
    <section className="card prun-day" aria-label={t('prun.daySteps')}>
      <h2>{t('prun.daySteps')}</h2>
      <ul className="prun-list">
        {steps.map((s) => (
          <li key={s.id} className={s.overdue ? 'prun-overdue' : undefined}>
            <a href={`#/processes/${s.instance_id}`}>{s.name}</a>{' '}
            <span className="prun-meta">
              {s.record_name || t('prun.record', { entity: s.entity, id: s.record_id })}
              {s.due_at && ` · ${t('prun.due', { at: formatDateTime(s.due_at) })}`}
              {s.overdue && ` · ${t('prun.overdue')}`}
            </span>
            {own && <StepActions stepId={s.id} kind={s.kind} onDone={onChange} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

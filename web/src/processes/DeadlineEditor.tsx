import { t } from '../i18n';
import { DurationInput } from './inputs';
import { PersonPicker } from './PersonPicker';
import type { Definition, Deadline, OnOverdue } from './types';
import type { Directory } from './useDirectory';

/** A step's deadline: none, or an amount of a unit, and what happens when it passes. */
export function DeadlineEditor({ stepId, value, def, dir, readOnly, onChange }: { stepId: string; value: Deadline | undefined; def: Definition; dir: Directory; readOnly: boolean; onChange: (d: Deadline | undefined) => void }) {
  const action = value?.on_overdue?.action ?? 'remind';
  const setOverdue = (o: OnOverdue) => value && onChange({ ...value, on_overdue: o });
  return (
    <fieldset className="pe-fieldset">
      <legend>{t('pe.deadline')}</legend>
      <label className="pe-check">
        <input type="checkbox" checked={!!value} disabled={readOnly} onChange={(e) => onChange(e.target.checked ? { amount: 1, unit: 'days', on_overdue: { action: 'remind' } } : undefined)} />
        {t('pe.deadline.has')}
      </label>
      {value && (
        <>
          <DurationInput value={value} readOnly={readOnly} onChange={(d) => onChange({ ...value, ...d })} />
          <label className="field-inline">
            {t('pe.overdue')}
            <select
              className="input"
              value={action}
              disabled={readOnly}
              onChange={(e) => {
                const a = e.target.value as OnOverdue['action'];
                if (a === 'reassign') setOverdue({ action: a, to: 'owner_head' });
                else if (a === 'branch') setOverdue({ action: a, step: def.steps.find((s) => s.id !== stepId)?.id ?? '' });
                else setOverdue({ action: a });
              }}
            >
              <option value="remind">{t('pe.overdue.remind')}</option>
              <option value="notify_owner">{t('pe.overdue.notify_owner')}</option>
              <option value="reassign">{t('pe.overdue.reassign')}</option>
              <option value="branch">{t('pe.overdue.branch')}</option>
            </select>
          </label>
          {action === 'reassign' && (
            <label className="field-inline">
              {t('pe.overdue.to')}
              <PersonPicker id={`pe-${stepId}-reassign`} value={value.on_overdue?.to} dir={dir} disabled={readOnly} onChange={(p) => setOverdue({ action: 'reassign', to: p })} />
            </label>
          )}
          {action === 'branch' && (
            <label className="field-inline">
              {t('pe.overdue.step')}
              <select className="input" value={value.on_overdue?.step ?? ''} disabled={readOnly} onChange={(e) => setOverdue({ action: 'branch', step: e.target.value })}>
                {def.steps
                  .filter((s) => s.id !== stepId)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
              </select>
            </label>
          )}
        </>
      )}
    </fieldset>
  );
}

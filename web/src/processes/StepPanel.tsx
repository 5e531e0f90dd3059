import { useEffect, useState } from 'react';
import type { FieldError } from '../api';
import { t } from '../i18n';
import { outputLabel } from './Canvas';
import { DeadlineEditor } from './DeadlineEditor';
import { connect, outputsOf, renameStep } from './graph';
import { Row } from './inputs';
import { KindFields } from './KindFields';
import { kindLabel } from './kinds';
import type { Deadline, Definition, Step } from './types';
import type { Directory } from './useDirectory';

const SLUG = /^[a-z][a-z0-9_-]{0,63}$/;

interface Props {
  def: Definition;
  step: Step;
  errors: FieldError[];
  dir: Directory;
  readOnly: boolean;
  onChange: (def: Definition) => void;
  onRemove: () => void;
}

/** The selected step's properties: its name, its kind's members, its deadline, where each output leads. */
export function StepPanel({ def, step, errors, dir, readOnly, onChange, onRemove }: Props) {
  const [id, setId] = useState(step.id);
  useEffect(() => setId(step.id), [step.id]);
  const replace = (s: Step) => onChange({ ...def, steps: def.steps.map((x) => (x.id === step.id ? s : x)) });
  const set = (patch: Partial<Step>, drop: string[] = []) => {
    const s: Step = { ...step };
    for (const k of drop) delete s[k];
    replace({ ...s, ...patch });
  };
  const idTaken = id !== step.id && def.steps.some((s) => s.id === id);
  return (
    <aside className="card pe-panel" aria-label={t('pe.stepPanel', { name: step.name })}>
      <h2 className="card-title">{kindLabel(step.kind)}</h2>
      {errors.length > 0 && (
        <ul className="pe-step-errors" aria-label={t('pe.errors')}>
          {errors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
      <Row label={t('pe.stepName')}>
        <input className="input" value={step.name} readOnly={readOnly} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
      </Row>
      <Row label={t('pe.stepId')}>
        <input
          className="input"
          value={id}
          readOnly={readOnly}
          aria-invalid={!SLUG.test(id) || idTaken}
          onChange={(e) => setId(e.target.value)}
          onBlur={() => (SLUG.test(id) && !idTaken && id !== step.id ? onChange(renameStep(def, step.id, id)) : setId(step.id))}
        />
      </Row>
      <Row label={t('pe.description')}>
        <textarea className="input" rows={2} value={step.description ?? ''} readOnly={readOnly} onChange={(e) => set(e.target.value ? { description: e.target.value } : {}, e.target.value ? [] : ['description'])} />
      </Row>
      <KindFields step={step} def={def} dir={dir} readOnly={readOnly} set={set} />
      {(step.kind === 'task' || step.kind === 'approval' || step.kind === 'wait') && (
        <DeadlineEditor stepId={step.id} value={step.deadline} def={def} dir={dir} readOnly={readOnly} onChange={(d: Deadline | undefined) => set(d ? { deadline: d } : {}, d ? [] : ['deadline'])} />
      )}
      {outputsOf(step).length > 0 && (
        <fieldset className="pe-fieldset">
          <legend>{t('pe.then')}</legend>
          {outputsOf(step).map((o) => (
            <Row key={o.name} label={outputLabel(o.name)}>
              <select className="input" value={o.target ?? ''} disabled={readOnly} onChange={(e) => replace(connect(step, o.name, e.target.value || undefined))}>
                <option value="">{t('pe.nowhere')}</option>
                {def.steps.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </Row>
          ))}
        </fieldset>
      )}
      {!readOnly && (
        <div className="page-actions">
          {def.start !== step.id && (
            <button type="button" className="btn btn-sm" onClick={() => onChange({ ...def, start: step.id })}>
              {t('pe.makeStart')}
            </button>
          )}
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={onRemove}>
            {t('pe.removeStep')}
          </button>
        </div>
      )}
    </aside>
  );
}

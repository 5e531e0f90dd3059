import { useState } from 'react';
import { ApiError, processes, type FieldError } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { putDraft } from './draft';
import { EntitySelect, FieldSelect, Row } from './inputs';
import { PersonPicker } from './PersonPicker';
import { newTrigger, triggerKey } from './SettingsPanel';
import type { Definition, Person, Trigger } from './types';
import { fieldsOf, useDirectory } from './useDirectory';
import './processes.css';

interface Answer {
  who: Person;
  what: string;
  hours: number;
  approval: boolean;
}

const STARTS: Trigger['type'][] = ['manual', 'created', 'field_changed', 'schedule'];

/**
 * #/admin/processes/wizard: a few questions (what starts it, on what, who does what and how long
 * may it take); the server turns the answers into a complete template (POST .../wizard), which the
 * editor then opens unsaved for the user to adjust and save.
 */
export function WizardScreen() {
  const [name, setName] = useState('');
  const [entity, setEntity] = useState('deals');
  const [trigger, setTrigger] = useState<Trigger>({ type: 'manual' });
  const [steps, setSteps] = useState<Answer[]>([{ who: 'record_owner', what: '', hours: 24, approval: false }]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dir = useDirectory();
  useTitle(t('pw.title'));
  const fields = fieldsOf(dir, entity);
  const put = (i: number, patch: Partial<Answer>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  async function submit() {
    setBusy(true);
    setError(null);
    setErrors([]);
    try {
      const def = await processes.wizard({ name, entity, trigger, steps });
      putDraft(def as unknown as Definition);
      navigate('/admin/processes/new', { draft: '1' });
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) setErrors(e.errors);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <p className="subtitle">
            <a href={href('/admin/processes')}>{t('processes.title')}</a>
          </p>
          <h1>{t('pw.title')}</h1>
          <p className="subtitle">{t('pw.subtitle')}</p>
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      <form
        className="card form-card pw-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Row label={t('pw.name')}>
          <input className="input" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Row>
        <EntitySelect label={t('pw.entity')} value={entity} readOnly={false} onChange={setEntity} />
        <Row label={t('pw.starts')}>
          <select className="input" value={trigger.type} onChange={(e) => setTrigger(newTrigger(e.target.value as Trigger['type'], fields))}>
            {STARTS.map((x) => (
              <option key={x} value={x}>
                {t(triggerKey(x))}
              </option>
            ))}
          </select>
        </Row>
        {trigger.type === 'field_changed' && (
          <FieldSelect label={t('pe.field')} value={String(trigger.field ?? '')} fields={fields} readOnly={false} onChange={(f) => setTrigger({ ...trigger, field: f })} />
        )}
        {trigger.type === 'schedule' && (
          <>
            <Row label={t('pe.cron')}>
              <input className="input" value={String(trigger.cron ?? '')} onChange={(e) => setTrigger({ ...trigger, cron: e.target.value })} />
            </Row>
            <Row label={t('pe.tz')}>
              <input className="input" value={String(trigger.tz ?? '')} onChange={(e) => setTrigger({ ...trigger, tz: e.target.value })} />
            </Row>
          </>
        )}
        <h2 className="card-title">{t('pw.steps')}</h2>
        <ol className="pw-steps" role="list">
          {steps.map((s, i) => (
            <li key={i} aria-label={t('pw.step', { n: i + 1 })}>
              <h3 className="pw-step-title">{t('pw.step', { n: i + 1 })}</h3>
              <Row label={t('pw.what')}>
                <input className="input" value={s.what} required maxLength={200} onChange={(e) => put(i, { what: e.target.value })} />
              </Row>
              <Row label={t('pw.who')}>
                <PersonPicker id={`pw-who-${i}`} value={s.who} dir={dir} onChange={(p) => p && put(i, { who: p })} />
              </Row>
              <Row label={t('pw.hours')}>
                <input className="input" type="number" value={s.hours} onChange={(e) => put(i, { hours: Number(e.target.value) })} />
              </Row>
              <label className="pe-check">
                <input type="checkbox" checked={s.approval} onChange={(e) => put(i, { approval: e.target.checked })} />
                {t('pw.approval')}
              </label>
              {steps.length > 1 && (
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                  {t('pe.remove')}
                </button>
              )}
              {errors
                .filter((e) => e.field.startsWith(`steps[${i}]`))
                .map((e, k) => (
                  <p key={k} className="field-error">
                    {e.message}
                  </p>
                ))}
            </li>
          ))}
        </ol>
        {errors
          .filter((e) => !e.field.startsWith('steps['))
          .map((e, k) => (
            <p key={k} className="field-error">
              <code>{e.field}</code>: {e.message}
            </p>
          ))}
        <div className="page-actions">
          {steps.length < 50 && (
            <button type="button" className="btn" onClick={() => setSteps([...steps, { who: 'record_owner', what: '', hours: 24, approval: false }])}>
              {t('pw.addStep')}
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('pw.make')}
          </button>
        </div>
      </form>
    </section>
  );
}

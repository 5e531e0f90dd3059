import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { CustomFieldDef, FieldError } from '../api';
import { t } from '../i18n';
import { CustomFieldInput } from './CustomFieldInput';
import type { FieldSpec } from './entity';
import type { FormState } from './formState';
import { errorsFor, FormField, inputAria } from './FormField';
import { CompanyPicker, ListInput, OwnerSelect, type CompanyRef } from './inputs';
import { ContactsPicker, CurrencySelect, PipelineSelect, StageSelect } from './salesInputs';

interface Props {
  fields: FieldSpec[];
  defs: CustomFieldDef[];
  state: FormState;
  errors: FieldError[];
  saving: boolean;
  submitLabel: string;
  banner?: ReactNode;
  /** A section of its own below the details (a deal's line items). */
  extra?: ReactNode;
  /** Fields the role makes read-only ("phones", "custom.segment"): shown, but disabled. */
  readonly?: (name: string) => boolean;
  /** Why a field is locked by the record itself (a deal's amount while it has line items), by name. */
  locked?: Record<string, string>;
  onChange: (s: FormState) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

function messages(errs: FieldError[]): string[] {
  return errs.map((e) => e.message);
}

/**
 * A record form: built-in fields, then a "Custom fields" section rendered by type.
 * Enter submits (native form submit), Escape cancels, the first field has focus.
 */
export function RecordForm({ fields, defs, state, errors, saving, submitLabel, banner, extra, readonly, locked, onChange, onSubmit, onCancel }: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  // After a failed save: focus the first field with an error, or bring the banner into view.
  useEffect(() => {
    const form = formRef.current;
    if (!form) return;
    const bad = form.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (bad) {
      bad.focus();
      bad.scrollIntoView({ block: 'center' });
    } else if (banner) {
      form.querySelector('[role="alert"]')?.scrollIntoView({ block: 'center' });
    }
  }, [errors, !!banner]); // the banner node is new on every render; only its presence matters

  const setField = (name: string, v: FormState['fields'][string]) =>
    onChange({ ...state, fields: { ...state.fields, [name]: v } });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!saving) onSubmit();
  }

  return (
    <form
      ref={formRef}
      className="record-form"
      noValidate
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      {banner}
      <section className="card form-card">
        <h2 className="card-title">{t('form.details')}</h2>
        <div className="form-grid">
          {fields.map((f, index) => {
            const errs = errorsFor(errors, f.kind === 'company' ? 'company_id' : f.name);
            const own = errs.filter((e) => !/\[\d+\]/.test(e.field));
            const name = f.kind === 'company' ? 'company_id' : f.name;
            const aria = inputAria(name, own.length > 0, f.kind === 'tags');
            const autoFocus = index === 0;
            const v = state.fields[f.name];
            let input: ReactNode;
            switch (f.kind) {
              case 'emails':
              case 'phones':
                input = (
                  <ListInput
                    name={f.name}
                    firstId={aria.id as string}
                    type={f.kind === 'emails' ? 'email' : 'tel'}
                    values={v as string[]}
                    itemLabel={t(f.kind === 'emails' ? 'field.email' : 'field.phone')}
                    addLabel={t(f.kind === 'emails' ? 'form.addEmail' : 'form.addPhone')}
                    errorsAt={(i) => messages(errs.filter((e) => e.field.startsWith(`${f.name}[${i}]`)))}
                    onChange={(xs) => setField(f.name, xs)}
                  />
                );
                break;
              case 'textarea':
                input = (
                  <textarea {...aria} name={f.name} className="input" rows={4} value={v as string} onChange={(e) => setField(f.name, e.target.value)} />
                );
                break;
              case 'company':
                input = (
                  <CompanyPicker
                    id={aria.id as string}
                    value={v as CompanyRef}
                    invalid={own.length > 0}
                    describedBy={aria['aria-describedby'] as string | undefined}
                    onChange={(ref) => setField(f.name, ref)}
                  />
                );
                break;
              case 'owner':
                input = (
                  <OwnerSelect
                    id={aria.id as string}
                    value={v as string}
                    invalid={own.length > 0}
                    describedBy={aria['aria-describedby'] as string | undefined}
                    onChange={(x) => setField(f.name, x)}
                  />
                );
                break;
              case 'pipeline':
              case 'stage':
              case 'currency': {
                const common = {
                  id: aria.id as string,
                  value: v as string,
                  invalid: own.length > 0,
                  describedBy: aria['aria-describedby'] as string | undefined,
                };
                input =
                  f.kind === 'pipeline' ? (
                    // Another pipeline has other stages: the stage goes back to its first open one.
                    <PipelineSelect {...common} onChange={(x) => onChange({ ...state, fields: { ...state.fields, [f.name]: x, stage_id: '' } })} />
                  ) : f.kind === 'stage' ? (
                    <StageSelect {...common} pipelineId={String(state.fields.pipeline_id ?? '')} onChange={(x) => setField(f.name, x)} />
                  ) : (
                    <CurrencySelect {...common} onChange={(x) => setField(f.name, x)} />
                  );
                break;
              }
              case 'contacts':
                input = (
                  <ContactsPicker
                    id={aria.id as string}
                    value={v as string[]}
                    invalid={own.length > 0}
                    describedBy={aria['aria-describedby'] as string | undefined}
                    onChange={(xs) => setField(f.name, xs)}
                  />
                );
                break;
              default:
                input = (
                  <input
                    {...aria}
                    name={f.name}
                    className="input"
                    type={f.kind === 'url' ? 'url' : f.kind === 'date' ? 'date' : 'text'}
                    inputMode={f.kind === 'amount' ? 'decimal' : undefined}
                    placeholder={f.kind === 'url' ? 'https://' : undefined}
                    autoComplete={f.autoComplete ?? 'off'}
                    autoFocus={autoFocus}
                    value={v as string}
                    onChange={(e) => setField(f.name, e.target.value)}
                  />
                );
            }
            return (
              <FormField
                key={f.name}
                name={name}
                label={t(f.label)}
                required={f.required}
                errors={messages(own)}
                hint={f.kind === 'tags' ? t('form.tagsHint') : locked?.[f.name]}
                wide={f.wide || f.kind === 'textarea'}
              >
                {readonly?.(f.name) || locked?.[f.name] ? <ReadOnly why={locked?.[f.name]}>{input}</ReadOnly> : input}
              </FormField>
            );
          })}
        </div>
      </section>

      {extra}

      {defs.length > 0 && (
        <section className="card form-card" aria-labelledby="custom-fields-title">
          <h2 className="card-title" id="custom-fields-title">
            {t('form.customFields')}
          </h2>
          <div className="form-grid">
            {defs.map((d) => {
              const input = (
                <CustomFieldInput
                  key={d.id}
                  def={d}
                  value={state.custom[d.name]}
                  errors={messages(errorsFor(errors, `custom.${d.name}`))}
                  onChange={(cv) => onChange({ ...state, custom: { ...state.custom, [d.name]: cv } })}
                />
              );
              return readonly?.(`custom.${d.name}`) ? <ReadOnly key={d.id}>{input}</ReadOnly> : input;
            })}
          </div>
        </section>
      )}

      <div className="form-actions sticky">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** Disables every control inside (a field the role makes read-only), without changing the layout. */
function ReadOnly({ children, why }: { children: ReactNode; why?: string }) {
  return (
    <fieldset className="readonly-wrap" disabled title={why ?? t('rights.readonlyField')}>
      {children}
    </fieldset>
  );
}

import type { ReactNode } from 'react';
import type { FieldError } from '../api';
import { t } from '../i18n';

/** Stable DOM ids for a field's input and its error message. */
export function fieldIds(name: string): { id: string; errId: string; hintId: string } {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, '-');
  return { id: `f-${safe}`, errId: `f-${safe}-error`, hintId: `f-${safe}-hint` };
}

/** Errors that belong to `name`: the field itself, `name[0]`, `name.sub`. */
export function errorsFor(errors: FieldError[], name: string): FieldError[] {
  return errors.filter((e) => e.field === name || e.field.startsWith(`${name}[`) || e.field.startsWith(`${name}.`));
}

interface Props {
  name: string;
  label: string;
  required?: boolean;
  errors?: string[];
  hint?: string;
  wide?: boolean;
  /** For groups of inputs (checkbox lists, money): a fieldset with a legend instead of a label. */
  group?: boolean;
  children: ReactNode;
}

/** A labelled form row with its hint and the server's messages for this field beside it. */
export function FormField({ name, label, required, errors, hint, wide, group, children }: Props) {
  const { id, errId, hintId } = fieldIds(name);
  const cls = ['form-field', wide ? 'wide' : '', errors && errors.length ? 'has-error' : ''].filter(Boolean).join(' ');
  const labelBody = (
    <>
      {label}
      {required && (
        <span className="req" title={t('common.required')}>
          {' '}
          *
        </span>
      )}
    </>
  );
  const after = (
    <>
      {hint && (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      )}
      {errors && errors.length > 0 && (
        <div className="field-error" id={errId} data-field={name}>
          {errors.join('; ')}
        </div>
      )}
    </>
  );
  if (group) {
    return (
      <fieldset className={cls} data-name={name} aria-describedby={errors?.length ? errId : undefined}>
        <legend className="field-label">{labelBody}</legend>
        {children}
        {after}
      </fieldset>
    );
  }
  return (
    <div className={cls} data-name={name}>
      <label className="field-label" htmlFor={id}>
        {labelBody}
      </label>
      {children}
      {after}
    </div>
  );
}

/** aria attributes for an input of field `name`. */
export function inputAria(name: string, hasError: boolean, hasHint = false): Record<string, string | boolean | undefined> {
  const { id, errId, hintId } = fieldIds(name);
  const describedBy = [hasError ? errId : '', hasHint ? hintId : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': hasError || undefined, 'aria-describedby': describedBy || undefined };
}

import type { CustomFieldDef } from '../api';
import { t } from '../i18n';
import type { CustomFormValue, MoneyInput } from './customValues';
import { FormField, fieldIds, inputAria } from './FormField';

interface Props {
  def: CustomFieldDef;
  value: CustomFormValue | undefined;
  errors: string[];
  onChange: (v: CustomFormValue) => void;
}

/** One custom field on a record form, with the input that suits its type. */
export function CustomFieldInput({ def, value, errors, onChange }: Props) {
  const name = `custom.${def.name}`;
  const bad = errors.length > 0;
  const aria = inputAria(name, bad);
  const str = typeof value === 'string' ? value : '';
  const text = (type: string, extra: Record<string, string> = {}) => (
    <input
      {...aria}
      name={name}
      className="input"
      type={type}
      value={str}
      onChange={(e) => onChange(e.target.value)}
      {...extra}
    />
  );
  let input;
  let group = false;
  switch (def.type) {
    case 'long_text':
      input = <textarea {...aria} name={name} className="input" rows={4} value={str} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'integer':
      input = text('text', { inputMode: 'numeric', placeholder: '0' });
      break;
    case 'decimal':
      input = text('text', { inputMode: 'decimal', placeholder: '0.00' });
      break;
    case 'percent':
      input = (
        <div className="input-affix">
          {text('text', { inputMode: 'decimal', placeholder: '0' })}
          <span className="affix">%</span>
        </div>
      );
      break;
    case 'date':
      input = text('date');
      break;
    case 'datetime':
      input = text('datetime-local');
      break;
    case 'email':
      input = text('email', { autoComplete: 'off' });
      break;
    case 'phone':
      input = text('tel', { autoComplete: 'off' });
      break;
    case 'url':
      input = text('url', { placeholder: 'https://' });
      break;
    case 'choice':
      input = (
        <select {...aria} name={name} className="input" value={str} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('form.choose')}</option>
          {(def.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
          {str && !(def.options ?? []).includes(str) && <option value={str}>{str}</option>}
        </select>
      );
      break;
    case 'multichoice': {
      group = true;
      const selected = Array.isArray(value) ? value : [];
      input = (
        <div className="check-list">
          {(def.options ?? []).map((o) => (
            <label key={o} className="check">
              <input
                type="checkbox"
                name={name}
                value={o}
                checked={selected.includes(o)}
                onChange={(e) =>
                  onChange(e.target.checked ? [...selected, o] : selected.filter((x) => x !== o))
                }
              />
              <span>{o}</span>
            </label>
          ))}
        </div>
      );
      break;
    }
    case 'boolean':
      group = true;
      input = (
        <label className="check">
          <input
            type="checkbox"
            name={name}
            id={fieldIds(name).id}
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span>{def.label}</span>
        </label>
      );
      break;
    case 'money': {
      group = true;
      const m: MoneyInput = value && typeof value === 'object' && !Array.isArray(value) ? value : { amount: '', currency: '' };
      input = (
        <div className="money-input">
          <input
            {...aria}
            name={`${name}.amount`}
            className="input"
            inputMode="decimal"
            placeholder="0.00"
            aria-label={`${def.label} — ${t('form.amount')}`}
            value={m.amount}
            onChange={(e) => onChange({ ...m, amount: e.target.value })}
          />
          <input
            name={`${name}.currency`}
            className="input currency"
            placeholder="EUR"
            maxLength={3}
            aria-label={`${def.label} — ${t('form.currency')}`}
            value={m.currency}
            onChange={(e) => onChange({ ...m, currency: e.target.value.toUpperCase() })}
          />
        </div>
      );
      break;
    }
    default:
      input = text('text');
  }
  return (
    <FormField
      name={name}
      label={def.label}
      required={def.required}
      errors={errors}
      group={group}
      wide={def.type === 'long_text' || def.type === 'multichoice'}
    >
      {input}
    </FormField>
  );
}

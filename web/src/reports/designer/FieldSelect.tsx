import { t } from '../../i18n';
import type { Field } from './fields';

interface Props {
  fields: Field[];
  value: string;
  onChange: (name: string) => void;
  label: string;
  /** The empty choice's text; without it a field must be chosen. */
  none?: string;
}

/** A field of the description, by its label, named as the language names it. */
export function FieldSelect({ fields, value, onChange, label, none }: Props) {
  const known = value === '' || fields.some((f) => f.name === value);
  return (
    <select className="input input-sm" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {(none !== undefined || value === '') && <option value="">{none ?? t('rw.pickField')}</option>}
      {!known && <option value={value}>{value}</option>}
      {fields.map((f) => (
        <option key={f.name} value={f.name}>
          {f.label}
        </option>
      ))}
    </select>
  );
}

import { useEffect, useState } from 'react';
import { records, users as usersApi, type Company, type User } from '../api';
import { t } from '../i18n';
import { RecordPicker } from './RecordPicker';

interface ListProps {
  name: string;
  values: string[];
  type: 'email' | 'tel';
  itemLabel: string;
  addLabel: string;
  errorsAt: (i: number) => string[];
  onChange: (v: string[]) => void;
  firstId?: string;
}

/** A list of emails or phones: one input per item, add and remove. Errors like emails[1] sit beside item 1. */
export function ListInput({ name, values, type, itemLabel, addLabel, errorsAt, onChange, firstId }: ListProps) {
  const items = values.length ? values : [''];
  return (
    <div className="list-input">
      {items.map((v, i) => {
        const errs = errorsAt(i);
        const errId = `${firstId ?? name}-${i}-error`;
        return (
          <div className="list-item" key={i}>
            <div className="list-row">
              <input
                id={i === 0 ? firstId : undefined}
                className="input"
                type={type}
                name={`${name}[${i}]`}
                value={v}
                aria-label={i === 0 ? undefined : `${itemLabel} ${i + 1}`}
                aria-invalid={errs.length ? true : undefined}
                aria-describedby={errs.length ? errId : undefined}
                autoComplete="off"
                onChange={(e) => {
                  const next = [...items];
                  next[i] = e.target.value;
                  onChange(next);
                }}
              />
              {items.length > 1 && (
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={t('form.removeItem', { what: `${itemLabel} ${i + 1}` })}
                  onClick={() => onChange(items.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              )}
            </div>
            {errs.length > 0 && (
              <div className="field-error" id={errId} data-field={`${name}[${i}]`}>
                {errs.join('; ')}
              </div>
            )}
          </div>
        );
      })}
      <button type="button" className="btn btn-link btn-sm" onClick={() => onChange([...items, ''])}>
        + {addLabel}
      </button>
    </div>
  );
}

export interface CompanyRef {
  id: string;
  label: string;
}

interface PickerProps {
  id: string;
  value: CompanyRef;
  invalid?: boolean;
  describedBy?: string;
  onChange: (v: CompanyRef) => void;
}

/** Pick a company by typing part of its name (searches /companies?q=). */
export function CompanyPicker({ id, value, invalid, describedBy, onChange }: PickerProps) {
  return (
    <RecordPicker
      id={id}
      source="companies"
      name="company"
      value={value}
      invalid={invalid}
      describedBy={describedBy}
      placeholder={t('form.companyPlaceholder')}
      clearLabel={t('form.clearCompany')}
      search={(q, signal) =>
        records
          .list<Company>('companies', { q, limit: 8, sort: 'name' }, signal)
          .then((p) => p.data.map((c) => ({ id: c.id, label: c.name, sub: c.industry ?? '' })))
      }
      onChange={onChange}
    />
  );
}

/** The users of the CRM, loaded once. */
export function useUsers(): User[] {
  const [list, setList] = useState<User[]>([]);
  useEffect(() => {
    let live = true;
    usersApi
      .list()
      .then((u) => live && setList(u))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return list;
}

interface OwnerProps {
  id: string;
  value: string;
  invalid?: boolean;
  describedBy?: string;
  onChange: (v: string) => void;
}

export function OwnerSelect({ id, value, invalid, describedBy, onChange }: OwnerProps) {
  const list = useUsers();
  return (
    <select
      id={id}
      name="owner_id"
      className="input"
      value={value}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{t('form.noOwner')}</option>
      {list
        .filter((u) => u.active !== false || String(u.id) === value)
        .map((u) => (
          <option key={u.id} value={String(u.id)}>
            {u.name || u.email}
          </option>
        ))}
      {value && !list.some((u) => String(u.id) === value) && <option value={value}>#{value}</option>}
    </select>
  );
}

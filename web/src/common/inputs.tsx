import { useEffect, useId, useRef, useState } from 'react';
import { records, users as usersApi, type Company, type User } from '../api';
import { t } from '../i18n';
import { useDebounced } from './hooks';

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
  const [text, setText] = useState(value.label);
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Company[]>([]);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const listId = useId();
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => setText(value.label), [value.label]);

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    records
      .list<Company>('companies', { q, limit: 8, sort: 'name' }, ctl.signal)
      .then((p) => {
        setOptions(p.data);
        setActive(0);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [q, open]);

  function pick(c: Company | null) {
    const ref = c ? { id: String(c.id), label: c.name } : { id: '', label: '' };
    onChange(ref);
    setText(ref.label);
    setOpen(false);
  }

  return (
    <div
      className="picker"
      ref={boxRef}
      onBlur={(e) => {
        if (!boxRef.current?.contains(e.relatedTarget as Node)) {
          setOpen(false);
          setText(value.label);
        }
      }}
    >
      <div className="list-row">
        <input
          id={id}
          name="company"
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
          autoComplete="off"
          placeholder={t('form.companyPlaceholder')}
          value={text}
          onFocus={() => setOpen(true)}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive((a) => Math.min(a + 1, options.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter' && open && options.length > 0) {
              e.preventDefault();
              pick(options[active] ?? null);
            } else if (e.key === 'Escape' && open) {
              e.preventDefault();
              e.stopPropagation();
              setOpen(false);
              setText(value.label);
            }
          }}
        />
        {value.id && (
          <button type="button" className="icon-btn" aria-label={t('form.clearCompany')} onClick={() => pick(null)}>
            ×
          </button>
        )}
      </div>
      {open && options.length > 0 && (
        <ul className="picker-list" role="listbox" id={listId}>
          {options.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(c);
              }}
            >
              <span>{c.name}</span>
              {c.industry && <span className="muted"> · {c.industry}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
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

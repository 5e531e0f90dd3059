import { useEffect, useId, useRef, useState } from 'react';
import { records, type Contact, type Deal } from '../api';
import { useDebounced } from '../common/hooks';
import type { CompanyRef } from '../common/inputs';
import { contactName } from '../contacts/config';
import { t } from '../i18n';

interface Props {
  id: string;
  entity: 'contacts' | 'deals';
  value: CompanyRef;
  invalid?: boolean;
  describedBy?: string;
  onChange: (v: CompanyRef) => void;
}

type Row = { id: number; label: string; sub: string };

function rowOf(entity: Props['entity'], r: Contact | Deal): Row {
  if (entity === 'contacts') {
    const c = r as Contact;
    return { id: c.id, label: contactName(c), sub: c.company_name ?? '' };
  }
  const d = r as Deal;
  return { id: d.id, label: d.title, sub: d.company_name ?? '' };
}

/** Pick the contact or deal an activity is about by typing part of its name (a combobox). */
export function LinkPicker({ id, entity, value, invalid, describedBy, onChange }: Props) {
  const [text, setText] = useState(value.label);
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Row[]>([]);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const listId = useId();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => setText(value.label), [value.label]);
  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    records
      .list<Contact | Deal>(entity, { q, limit: 8 }, ctl.signal)
      .then((p) => {
        setOptions(p.data.map((r) => rowOf(entity, r)));
        setActive(0);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [q, open, entity]);

  function pick(r: Row | null) {
    const next = r ? { id: String(r.id), label: r.label } : { id: '', label: '' };
    onChange(next);
    setText(next.label);
    setOpen(false);
  }

  return (
    <div
      className="picker"
      ref={box}
      onBlur={(e) => {
        if (!box.current?.contains(e.relatedTarget as Node)) {
          setOpen(false);
          setText(value.label);
        }
      }}
    >
      <div className="list-row">
        <input
          id={id}
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
          autoComplete="off"
          placeholder={t(entity === 'contacts' ? 'activity.findContact' : 'activity.findDeal')}
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
          <button type="button" className="icon-btn" aria-label={t('activity.clearLink', { what: value.label })} onClick={() => pick(null)}>
            ×
          </button>
        )}
      </div>
      {open && options.length > 0 && (
        <ul className="picker-list" role="listbox" id={listId}>
          {options.map((r, i) => (
            <li
              key={r.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(r);
              }}
            >
              <span>{r.label}</span>
              {r.sub && <span className="muted"> · {r.sub}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

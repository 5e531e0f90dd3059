import { useEffect, useId, useRef, useState } from 'react';
import { useDebounced } from './hooks';
import { PickerList, pickerOptionId } from './PickerList';
import type { CompanyRef } from './inputs';

/** One choice of a picker: the record's id, its name, and a hint after it. */
export interface PickRow {
  id: number;
  label: string;
  sub: string;
}

interface Props {
  id: string;
  /** Names what is searched (an entity); a new source searches again. */
  source: string;
  value: CompanyRef;
  invalid?: boolean;
  describedBy?: string;
  name?: string;
  placeholder: string;
  clearLabel: string;
  search: (q: string, signal: AbortSignal) => Promise<PickRow[]>;
  onChange: (v: CompanyRef) => void;
}

/** Pick a record by typing part of its name: a combobox over a search of the API. */
export function RecordPicker({ id, source, value, invalid, describedBy, name, placeholder, clearLabel, search, onChange }: Props) {
  const [text, setText] = useState(value.label);
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<PickRow[]>([]);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const listId = useId();
  const box = useRef<HTMLDivElement>(null);
  // The latest search function, without making every render search again.
  const searchRef = useRef(search);
  searchRef.current = search;

  useEffect(() => setText(value.label), [value.label]);
  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    searchRef
      .current(q, ctl.signal)
      .then((rows) => {
        setOptions(rows);
        setActive(0);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [q, open, source]);

  function pick(r: PickRow | null) {
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
          name={name}
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          aria-activedescendant={open && options[active] ? pickerOptionId(listId, active) : undefined}
          autoComplete="off"
          placeholder={placeholder}
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
          <button type="button" className="icon-btn" aria-label={clearLabel} onClick={() => pick(null)}>
            ×
          </button>
        )}
      </div>
      {open && options.length > 0 && (
        <PickerList
          id={listId}
          options={options}
          active={active}
          keyOf={(r) => r.id}
          onActive={setActive}
          onPick={pick}
          render={(r) => (
            <>
              <span>{r.label}</span>
              {r.sub && <span className="muted"> · {r.sub}</span>}
            </>
          )}
        />
      )}
    </div>
  );
}

// Inputs of a deal's form: pipeline, stage, currency and contacts, and the hooks that load
// what they offer (pipelines and currencies change rarely: loaded once per session).
import { useEffect, useId, useRef, useState } from 'react';
import { records, sales, type Contact, type Currency, type Pipeline } from '../api';
import { contactName } from '../contacts/config';
import { rememberCurrencyDigits } from '../format';
import { t } from '../i18n';
import { useDebounced } from './hooks';
import { PickerList, pickerOptionId } from './PickerList';

/** The pipelines with their stages in order (null while loading). */
export function usePipelines(): Pipeline[] | null {
  const [list, setList] = useState<Pipeline[] | null>(null);
  useEffect(() => {
    let live = true;
    sales
      .pipelines()
      .then((ps) => {
        const sorted = [...ps]
          .sort((a, b) => a.position - b.position || a.id - b.id)
          .map((p) => ({ ...p, stages: [...p.stages].sort((a, b) => a.position - b.position || a.id - b.id) }));
        if (live) setList(sorted);
      })
      .catch(() => live && setList([]));
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/** The currencies (with their minor-unit digits, remembered for formatting) and the base code. */
export function useCurrencies(): { list: Currency[]; base: string } | null {
  const [v, setV] = useState<{ list: Currency[]; base: string } | null>(null);
  useEffect(() => {
    let live = true;
    sales
      .currencies()
      .then((c) => {
        rememberCurrencyDigits(c.list);
        if (live) setV(c);
      })
      .catch(() => live && setV({ list: [], base: '' }));
    return () => {
      live = false;
    };
  }, []);
  return v;
}

interface SelectProps {
  id: string;
  value: string;
  invalid?: boolean;
  describedBy?: string;
  onChange: (v: string) => void;
}

export function PipelineSelect({ id, value, invalid, describedBy, onChange }: SelectProps) {
  const list = usePipelines() ?? [];
  return (
    <select id={id} name="pipeline_id" className="input" value={value} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      {list
        .filter((p) => !p.archived || String(p.id) === value)
        .map((p) => (
          <option key={p.id} value={String(p.id)}>
            {p.name}
          </option>
        ))}
    </select>
  );
}

/** The stages of one pipeline; empty means "the pipeline's first open stage" (the server's default). */
export function StageSelect({ id, value, pipelineId, invalid, describedBy, onChange }: SelectProps & { pipelineId: string }) {
  const list = usePipelines() ?? [];
  const pipeline = list.find((p) => String(p.id) === pipelineId) ?? list.find((p) => !p.archived);
  return (
    <select id={id} name="stage_id" className="input" value={value} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      {(pipeline?.stages ?? [])
        .filter((s) => s.kind === 'open')
        .map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
    </select>
  );
}

export function CurrencySelect({ id, value, invalid, describedBy, onChange }: SelectProps) {
  const cur = useCurrencies();
  const list = cur?.list ?? [];
  return (
    <select id={id} name="currency" className="input" value={value} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      {value && !list.some((c) => c.code === value) && <option value={value}>{value}</option>}
      {list.map((c) => (
        <option key={c.code} value={c.code}>
          {c.code} · {c.name}
        </option>
      ))}
    </select>
  );
}

/** Names of contacts by id, loaded as needed (shared by the picker and the deal's details). */
function useContactNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    const missing = ids.filter((id) => !(id in names));
    Promise.all(
      missing.map((id) =>
        records
          .get<Contact>('contacts', Number(id))
          .then((r) => [id, contactName(r.data)] as const)
          .catch(() => [id, `#${id}`] as const),
      ),
    ).then((pairs) => live && pairs.length && setNames((n) => ({ ...n, ...Object.fromEntries(pairs) })));
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

/** Links to a deal's contacts. */
export function ContactLinks({ ids }: { ids: number[] }) {
  const names = useContactNames(ids.map(String));
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <a href={`#/contacts/${id}`}>{names[String(id)] ?? `#${id}`}</a>
        </span>
      ))}
    </>
  );
}

/** Several contacts: chips with a remove button, and a combobox that searches contacts to add. */
export function ContactsPicker({ id, value, invalid, describedBy, onChange }: Omit<SelectProps, 'value' | 'onChange'> & { value: string[]; onChange: (v: string[]) => void }) {
  const names = useContactNames(value);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Contact[]>([]);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const listId = useId();
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    records
      .list<Contact>('contacts', { q, limit: 8, sort: 'last_name' }, ctl.signal)
      .then((p) => {
        setOptions(p.data.filter((c) => !value.includes(String(c.id))));
        setActive(0);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [q, open, value.join(',')]);

  function add(c: Contact) {
    onChange([...value, String(c.id)]);
    setText('');
  }

  return (
    <div className="picker" ref={boxRef} onBlur={(e) => !boxRef.current?.contains(e.relatedTarget as Node) && setOpen(false)}>
      {value.length > 0 && (
        <ul className="chips" aria-label={t('field.contacts')}>
          {value.map((cid) => (
            <li key={cid} className="chip">
              <span>{names[cid] ?? `#${cid}`}</span>
              <button type="button" className="chip-x" aria-label={t('deals.removeContact', { name: names[cid] ?? `#${cid}` })} onClick={() => onChange(value.filter((x) => x !== cid))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        name="contacts"
        className="input"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-activedescendant={open && options[active] ? pickerOptionId(listId, active) : undefined}
        autoComplete="off"
        placeholder={t('deals.contactsPlaceholder')}
        value={text}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, options.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && open && options[active]) {
            e.preventDefault();
            add(options[active]);
          } else if (e.key === 'Escape' && open) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {open && options.length > 0 && (
        <PickerList
          id={listId}
          options={options}
          active={active}
          keyOf={(c) => c.id}
          onActive={setActive}
          onPick={add}
          render={(c) => (
            <>
              <span>{contactName(c)}</span>
              {c.company_name && <span className="muted"> · {c.company_name}</span>}
            </>
          )}
        />
      )}
    </div>
  );
}

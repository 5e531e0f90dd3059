import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, desk, kb, TICKET_PRIORITIES, WEB_FORM_FIELDS, workCalendars, type CannedResponse, type KbCategory, type FieldError, type Queue, type SlaPolicy, type WebForm, type WorkCalendar } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useUsers } from '../common/inputs';
import { useToast } from '../common/Toast';
import { t, type Key } from '../i18n';
import '../tickets/tickets.css';

/**
 * The desk's admin tables (#/admin/sla-policies, #/admin/queues, #/admin/canned-responses,
 * #/admin/kb-categories, #/admin/web-forms):
 * each a list with a form above it. One component serves the three; a field list says what the
 * form holds and how its text becomes the JSON the API takes.
 */

type Kind = 'text' | 'textarea' | 'number' | 'select' | 'users' | 'user' | 'check' | 'json' | 'lines' | 'multi';
interface Field {
  name: string;
  label: Key;
  kind: Kind;
  options?: { value: string; label: string }[];
  /** Empty text is sent as null ("none"), not as an empty string. */
  nullable?: boolean;
  /** The value of a new row. */
  initial?: unknown;
}

type Row = { id: number; name: string } & Record<string, unknown>;
interface Table {
  title: Key;
  api: { list: () => Promise<Row[]>; create: (b: Record<string, unknown>) => Promise<unknown>; update: (id: number, b: Record<string, unknown>) => Promise<unknown>; remove: (id: number) => Promise<unknown> };
  fields: Field[];
  summary: (r: Row) => string;
  /** Or nothing: more about a row, under it (a web form's embed code). */
  extra?: (r: Row) => ReactNode;
}

/** The form's text for one value of a row. */
function toText(f: Field, v: unknown): string | boolean | string[] {
  if (f.kind === 'check') return v === true;
  if (f.kind === 'users' || f.kind === 'multi') return Array.isArray(v) ? v.map(String) : [];
  if (f.kind === 'lines') return Array.isArray(v) ? v.join('\n') : '';
  if (f.kind === 'json') return v && typeof v === 'object' ? JSON.stringify(v) : '{}';
  return v === null || v === undefined ? '' : String(v);
}

/** The JSON value of one form field; null where empty (the API reads null as "none"). */
function fromText(f: Field, v: string | boolean | string[]): unknown {
  if (f.kind === 'check') return v === true;
  if (f.kind === 'users') return (v as string[]).map(Number);
  if (f.kind === 'multi') return v;
  if (f.kind === 'lines') return (v as string).split('\n').map((x) => x.trim()).filter(Boolean);
  if (f.kind === 'json') {
    try {
      return JSON.parse((v as string) || '{}');
    } catch {
      return v;
    }
  }
  if (v === '') return (f.kind === 'text' || f.kind === 'textarea') && !f.nullable ? '' : null;
  if (f.kind === 'number' || f.kind === 'user') return Number(v);
  if (f.kind === 'select' && /^\d+$/.test(v as string) && f.name.endsWith('_id')) return Number(v);
  return v;
}

function DeskForm({ table, row, onDone }: { table: Table; row: Row | null; onDone: (saved: boolean) => void }) {
  const people = useUsers();
  const [values, setValues] = useState<Record<string, string | boolean | string[]>>(() =>
    Object.fromEntries(table.fields.map((f) => [f.name, toText(f, row ? row[f.name] : f.initial)])),
  );
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors([]);
    setError(null);
    const body = Object.fromEntries(table.fields.map((f) => [f.name, fromText(f, values[f.name])]));
    try {
      if (row) await table.api.update(row.id, body);
      else await table.api.create(body);
      onDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) setErrors(e.errors);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, v: string | boolean | string[]) => setValues((x) => ({ ...x, [name]: v }));
  return (
    <form
      className="card desk-form"
      aria-label={t(table.title)}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {table.fields.map((f) => {
        const v = values[f.name];
        const msg = errors.filter((e) => e.field === f.name || e.field.startsWith(`${f.name}[`) || e.field.startsWith(`${f.name}.`)).map((e) => e.message);
        let input;
        if (f.kind === 'textarea' || f.kind === 'lines') input = <textarea rows={f.kind === 'lines' ? 3 : 4} value={v as string} onChange={(e) => set(f.name, e.target.value)} />;
        else if (f.kind === 'check') input = <input type="checkbox" checked={v === true} onChange={(e) => set(f.name, e.target.checked)} />;
        else if (f.kind === 'select' || f.kind === 'user')
          input = (
            <select value={v as string} onChange={(e) => set(f.name, e.target.value)}>
              <option value="">—</option>
              {(f.kind === 'user' ? people.map((p) => ({ value: String(p.id), label: p.name })) : (f.options ?? [])).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          );
        else if (f.kind === 'users' || f.kind === 'multi')
          input = (
            <select multiple value={v as string[]} onChange={(e) => set(f.name, Array.from(e.target.selectedOptions, (o) => o.value))}>
              {(f.kind === 'users' ? people.map((p) => ({ value: String(p.id), label: p.name })) : (f.options ?? [])).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          );
        else input = <input type={f.kind === 'number' ? 'number' : 'text'} value={v as string} onChange={(e) => set(f.name, e.target.value)} />;
        return (
          <label key={f.name} className={msg.length ? 'has-error' : undefined}>
            <span>{t(f.label)}</span>
            {input}
            {msg.map((m) => (
              <span key={m} className="field-error" role="alert">
                {m}
              </span>
            ))}
          </label>
        );
      })}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function DeskTable({ table }: { table: Table }) {
  useTitle(t(table.title));
  const toast = useToast();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Row | 'new' | null>(null);

  // The table is rebuilt on every render of its screen (its options follow loaded lists); the
  // list is loaded again only when the table is another one.
  const api = useRef(table.api);
  api.current = table.api;
  const reload = useCallback(() => {
    api.current
      .list()
      .then(setRows)
      .catch(setError);
  }, []);
  useEffect(reload, [reload]);

  const remove = async (r: Row) => {
    if (!window.confirm(t('deskAdmin.confirmDelete', { name: r.name }))) return;
    try {
      await table.api.remove(r.id);
      toast(t('deskAdmin.deleted'));
      reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="page desk-page">
      <header className="page-header">
        <div>
          <h1>{t(table.title)}</h1>
        </div>
        {editing === null && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            {t('deskAdmin.add')}
          </button>
        )}
      </header>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {editing !== null && (
        <DeskForm
          key={editing === 'new' ? 'new' : editing.id}
          table={table}
          row={editing === 'new' ? null : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              toast(t('deskAdmin.saved'));
              reload();
            }
          }}
        />
      )}
      {rows !== null && rows.length === 0 && <div className="card empty-state">{t('deskAdmin.empty')}</div>}
      {rows !== null && rows.length > 0 && (
        <div className="card table-card">
          <table className="data-table desk-admin-table">
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-id={r.id}>
                  <th scope="row">{r.name}</th>
                  <td className="muted">
                    {table.summary(r)}
                    {table.extra?.(r)}
                  </td>
                  <td className="col-actions nowrap">
                    <button type="button" className="btn btn-sm" aria-label={`${t('common.edit')} ${r.name}`} onClick={() => setEditing(r)}>
                      {t('common.edit')}
                    </button>{' '}
                    <button type="button" className="btn btn-sm btn-danger-ghost" aria-label={`${t('common.delete')} ${r.name}`} onClick={() => void remove(r)}>
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const asRows = <T extends { id: number; name: string }>(p: Promise<T[]>) => p as unknown as Promise<Row[]>;

function useQueuesAndCalendars() {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [calendars, setCalendars] = useState<WorkCalendar[]>([]);
  useEffect(() => {
    desk.queues.list().then(setQueues).catch(() => {});
    workCalendars.list().then(setCalendars).catch(() => {});
  }, []);
  return { queues, calendars };
}

/** #/admin/sla-policies */
export function SlaPoliciesScreen() {
  const { queues, calendars } = useQueuesAndCalendars();
  const table: Table = {
    title: 'deskAdmin.policies',
    api: { ...desk.policies, list: () => asRows<SlaPolicy>(desk.policies.list()) } as Table['api'],
    summary: (r) => t('deskAdmin.policySummary', { response: String(r.response_min), resolution: String(r.resolution_min) }),
    fields: [
      { name: 'name', label: 'deskAdmin.name', kind: 'text' },
      { name: 'position', label: 'deskAdmin.position', kind: 'number' },
      { name: 'priority', label: 'desk.priority', kind: 'select', options: TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`desk.priority.${p}`) })) },
      { name: 'category', label: 'desk.category', kind: 'text' },
      { name: 'tier', label: 'deskAdmin.tier', kind: 'text' },
      { name: 'response_min', label: 'deskAdmin.responseMin', kind: 'number' },
      { name: 'resolution_min', label: 'deskAdmin.resolutionMin', kind: 'number' },
      { name: 'warn_before_min', label: 'deskAdmin.warnBefore', kind: 'number' },
      { name: 'calendar_id', label: 'deskAdmin.calendar', kind: 'select', options: calendars.map((c) => ({ value: String(c.id), label: c.name })) },
      { name: 'notify_owner', label: 'deskAdmin.notifyOwner', kind: 'check' },
      { name: 'notify_user_ids', label: 'deskAdmin.notifyUsers', kind: 'users' },
      { name: 'reassign_user_id', label: 'deskAdmin.reassignUser', kind: 'user' },
      { name: 'reassign_queue_id', label: 'deskAdmin.reassignQueue', kind: 'select', options: queues.map((q) => ({ value: String(q.id), label: q.name })) },
      { name: 'raise_priority', label: 'deskAdmin.raisePriority', kind: 'check' },
    ],
  };
  return <DeskTable table={table} />;
}

/** #/admin/queues */
export function QueuesScreen() {
  const table: Table = {
    title: 'deskAdmin.queues',
    api: { ...desk.queues, list: () => asRows<Queue>(desk.queues.list()) } as Table['api'],
    summary: (r) => `${t(`deskAdmin.rule.${r.rule as Queue['rule']}`)} · ${t('deskAdmin.memberCount', { n: (r.members as number[]).length })}`,
    fields: [
      { name: 'name', label: 'deskAdmin.name', kind: 'text' },
      {
        name: 'rule',
        label: 'deskAdmin.rule',
        kind: 'select',
        options: (['round_robin', 'least_loaded', 'by_category'] as const).map((r) => ({ value: r, label: t(`deskAdmin.rule.${r}`) })),
      },
      { name: 'members', label: 'deskAdmin.members', kind: 'users' },
      { name: 'category_map', label: 'deskAdmin.categoryMap', kind: 'json' },
    ],
  };
  return <DeskTable table={table} />;
}

/** #/admin/canned-responses */
export function CannedScreen() {
  const table: Table = {
    title: 'deskAdmin.canned',
    api: { ...desk.canned, list: () => asRows<CannedResponse>(desk.canned.list()) } as Table['api'],
    summary: (r) => String(r.body).slice(0, 80),
    fields: [
      { name: 'name', label: 'deskAdmin.name', kind: 'text' },
      { name: 'body', label: 'deskAdmin.body', kind: 'textarea' },
    ],
  };
  return <DeskTable table={table} />;
}

/** #/admin/kb-categories: the knowledge base's categories. */
export function KbCategoriesScreen() {
  const table: Table = {
    title: 'deskAdmin.kbCategories',
    api: { ...kb.categories, list: () => asRows<KbCategory>(kb.categories.list()) } as Table['api'],
    summary: (r) => (r.position === null ? '' : t('deskAdmin.positionIs', { n: String(r.position) })),
    fields: [
      { name: 'name', label: 'deskAdmin.name', kind: 'text' },
      { name: 'position', label: 'deskAdmin.position', kind: 'number' },
    ],
  };
  return <DeskTable table={table} />;
}

/** The <iframe> a site owner pastes into their page, for this server's address. */
function EmbedCode({ form }: { form: WebForm }) {
  const src = `${window.location.origin}/f/${form.public_key}`;
  const code = `<iframe src="${src}" title="${t('webForms.iframeTitle')}" style="width:100%;min-height:620px;border:0"></iframe>`;
  const id = `embed-${form.id}`;
  return (
    <div className="embed-code">
      <label htmlFor={id}>{t('webForms.embed')}</label>
      <textarea id={id} readOnly rows={2} value={code} onFocus={(e) => e.target.select()} />
      <a href={src} target="_blank" rel="noreferrer">
        {t('webForms.open')}
      </a>
    </div>
  );
}

/** #/admin/web-forms: the forms a company embeds on its sites, each with its embed code. */
export function WebFormsScreen() {
  const { queues } = useQueuesAndCalendars();
  const table: Table = {
    title: 'webForms.title',
    api: { ...desk.forms, list: () => asRows<WebForm>(desk.forms.list()) } as Table['api'],
    summary: (r) =>
      `${r.enabled ? t('webForms.on') : t('webForms.off')} · ${t('webForms.limits', {
        a: String(r.address_max),
        aw: String(r.address_window_min),
        f: String(r.form_max),
        fw: String(r.form_window_min),
      })}`,
    extra: (r) => <EmbedCode form={r as unknown as WebForm} />,
    fields: [
      { name: 'name', label: 'deskAdmin.name', kind: 'text' },
      { name: 'enabled', label: 'webForms.enabled', kind: 'check', initial: true },
      { name: 'title', label: 'webForms.pageTitle', kind: 'text', nullable: true },
      {
        name: 'fields',
        label: 'webForms.fields',
        kind: 'multi',
        options: WEB_FORM_FIELDS.map((f) => ({ value: f, label: t(`webForms.field.${f}`) })),
        initial: ['name', 'email', 'subject', 'message'],
      },
      { name: 'origins', label: 'webForms.origins', kind: 'lines' },
      { name: 'queue_id', label: 'desk.queue', kind: 'select', options: queues.map((q) => ({ value: String(q.id), label: q.name })) },
      { name: 'category', label: 'desk.category', kind: 'text', nullable: true },
      { name: 'priority', label: 'desk.priority', kind: 'select', options: TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`desk.priority.${p}`) })) },
      { name: 'thanks', label: 'webForms.thanks', kind: 'textarea', nullable: true },
      { name: 'address_max', label: 'webForms.addressMax', kind: 'number' },
      { name: 'address_window_min', label: 'webForms.addressWindow', kind: 'number' },
      { name: 'form_max', label: 'webForms.formMax', kind: 'number' },
      { name: 'form_window_min', label: 'webForms.formWindow', kind: 'number' },
    ],
  };
  return <DeskTable table={table} />;
}

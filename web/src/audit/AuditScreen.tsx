import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { audit, customFields, type AuditEntry, type AuditFilters, type AuditVerify, type CustomFieldDef } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useDebounced, useTitle } from '../common/hooks';
import { userLabel } from '../common/useOrg';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { replaceQuery } from '../router';
import { ACTION_FAMILIES, AUDIT_ENTITIES, actionLabel, actorName, clip, summaryText } from './describe';
import { useDirectory } from './useDirectory';

/** What the filter form holds; dates are calendar days, "to" included. */
interface Form {
  actor_id: string;
  action: string;
  entity: string;
  record_id: string;
  from: string;
  to: string;
  address: string;
}

const KEYS: (keyof Form)[] = ['actor_id', 'action', 'entity', 'record_id', 'from', 'to', 'address'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function formOf(query: URLSearchParams): Form {
  const f = {} as Form;
  for (const k of KEYS) f[k] = query.get(k) ?? '';
  return f;
}

/**
 * The start of a calendar day (plus `days`) in the user's time zone, as the RFC 3339 time the API
 * takes: the table shows local times, so the period means local days too. The API's "to" is
 * exclusive and the form's included, so "to" asks for the next day's start.
 */
function dayStart(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** The form as the API's filters, or a message saying what is wrong with it. */
function toApi(f: Form): { filters: AuditFilters } | { error: string } {
  if ((f.from && !DATE.test(f.from)) || (f.to && !DATE.test(f.to))) return { error: t('audit.badDate') };
  if (f.from && f.to && f.from > f.to) return { error: t('audit.badRange') };
  const out: AuditFilters = {};
  if (f.actor_id) out.actor_id = f.actor_id;
  if (f.action) out.action = f.action;
  if (f.entity) out.entity = f.entity;
  if (/^\d+$/.test(f.record_id)) out.record_id = f.record_id;
  if (f.address.trim()) out.address = f.address.trim();
  if (f.from) out.from = dayStart(f.from);
  if (f.to) out.to = dayStart(f.to, 1);
  return { filters: out };
}

/**
 * #/admin/audit: the audit log for administrators. Filters (person, action family, object, period,
 * address) live in the URL; the table pages with "Load more"; "Export CSV" downloads the same
 * selection (the export is logged too); the status line checks the hash chain and its signatures.
 */
export function AuditScreen({ query }: { query: URLSearchParams }) {
  const dir = useDirectory();
  const [form, setForm] = useState<Form>(() => formOf(query));
  const address = useDebounced(form.address, 400);
  const [defs, setDefs] = useState<CustomFieldDef[]>([]);
  const [rows, setRows] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const ctl = useRef<AbortController | null>(null);
  useTitle(t('audit.title'));

  // A link to the screen (the menu, a record's "Open in the audit log") sets the filters anew;
  // the screen's own changes replace the URL without a navigation, so they do not come back here.
  const linked = query.toString();
  useEffect(() => {
    setForm(formOf(new URLSearchParams(linked)));
  }, [linked]);

  const checked = toApi({ ...form, address });
  const filters = 'filters' in checked ? checked.filters : null;
  const key = filters ? JSON.stringify(filters) : null;

  useEffect(() => {
    let live = true;
    Promise.all([customFields.list('companies'), customFields.list('contacts')])
      .then(([a, b]) => live && setDefs([...a, ...b]))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  const load = useCallback(async (f: AuditFilters, from: string | null) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setBusy(true);
    try {
      const page = await audit.list(f, from, c.signal);
      setRows((xs) => (from && xs ? [...xs, ...page.data] : page.data));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
    } finally {
      if (ctl.current === c) setBusy(false);
    }
  }, []);

  // A new selection starts from the newest entry again, and is kept in the URL.
  useEffect(() => {
    if (!filters) return;
    const q: Record<string, string> = {};
    for (const k of KEYS) if (form[k]) q[k] = k === 'address' ? address : form[k];
    replaceQuery(q);
    setOpen(new Set());
    void load(filters, null);
    return () => ctl.current?.abort();
    // key stands for filters (a new object each render)
  }, [key, load]);

  const set = (k: keyof Form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const toggle = (id: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const anyFilter = KEYS.some((k) => form[k] !== '');

  return (
    <section className="page audit-page">
      <header className="page-header">
        <div>
          <h1>{t('audit.title')}</h1>
          <p className="subtitle">{t('audit.subtitle')}</p>
        </div>
        <div className="page-actions">
          {filters ? (
            <a className="btn" href={audit.exportUrl(filters)} download data-export title={t('audit.exportHint')}>
              {t('audit.export')}
            </a>
          ) : (
            <button type="button" className="btn" disabled>
              {t('audit.export')}
            </button>
          )}
        </div>
      </header>

      <VerifyStatus />

      <form className="card audit-filters" role="search" aria-label={t('common.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="audit-filter-grid">
          <FormField name="audit-actor" label={t('audit.person')}>
            <select {...inputAria('audit-actor', false)} className="input" value={form.actor_id} onChange={(e) => set('actor_id')(e.target.value)}>
              <option value="">{t('audit.anyone')}</option>
              {dir.users.map((u) => (
                <option key={u.id} value={String(u.id)}>
                  {userLabel(u)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField name="audit-action" label={t('audit.action')}>
            <select {...inputAria('audit-action', false)} className="input" value={form.action} onChange={(e) => set('action')(e.target.value)}>
              <option value="">{t('audit.anyAction')}</option>
              {ACTION_FAMILIES.map((a) => (
                <option key={a.value} value={a.value}>
                  {t(a.label)}
                </option>
              ))}
              {form.action && !ACTION_FAMILIES.some((a) => a.value === form.action) && (
                <option value={form.action}>{actionLabel(form.action)}</option>
              )}
            </select>
          </FormField>
          <FormField name="audit-entity" label={t('audit.entity')}>
            <select {...inputAria('audit-entity', false)} className="input" value={form.entity} onChange={(e) => set('entity')(e.target.value)}>
              <option value="">{t('audit.anyEntity')}</option>
              {AUDIT_ENTITIES.map((x) => (
                <option key={x.value} value={x.value}>
                  {t(x.label)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField name="audit-from" label={t('audit.from')}>
            <input {...inputAria('audit-from', 'error' in checked)} className="input" type="date" value={form.from} onChange={(e) => set('from')(e.target.value)} />
          </FormField>
          <FormField name="audit-to" label={t('audit.to')}>
            <input {...inputAria('audit-to', 'error' in checked)} className="input" type="date" value={form.to} onChange={(e) => set('to')(e.target.value)} />
          </FormField>
          <FormField name="audit-address" label={t('audit.address')}>
            <input
              {...inputAria('audit-address', false)}
              className="input mono"
              value={form.address}
              maxLength={100}
              autoComplete="off"
              placeholder="203.0.113.7"
              onChange={(e) => set('address')(e.target.value)}
            />
          </FormField>
        </div>
        <div className="audit-filter-foot">
          {form.record_id && (
            <span className="tag" data-filter="record">
              {t('audit.recordFilter', { id: form.record_id })}
            </span>
          )}
          {anyFilter && (
            <button type="button" className="btn btn-link btn-sm" onClick={() => setForm(formOf(new URLSearchParams()))}>
              {t('common.clearFilters')}
            </button>
          )}
        </div>
        {'error' in checked && (
          <p className="field-error" role="alert">
            {checked.error}
          </p>
        )}
      </form>

      {error !== null && <ErrorBanner error={error} />}

      {filters && (
      <div className="card table-card">
        {rows === null ? (
          <p className="placeholder muted">{t('common.loading')}</p>
        ) : rows.length === 0 ? (
          <p className="placeholder muted">{t('audit.empty')}</p>
        ) : (
          <div className={busy ? 'table-wrap busy' : 'table-wrap'}>
            <table className="data-table audit-table">
              <caption className="sr-only">{t('audit.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.person')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.record')}</th>
                  <th scope="col">{t('audit.address')}</th>
                  <th scope="col">{t('audit.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => {
                  const expanded = open.has(e.id);
                  const summary = clip(summaryText(dir, defs, e), 120);
                  return (
                    <Fragment key={e.id}>
                      <tr data-entry={e.id} data-action={e.action}>
                        <td className="nowrap">
                          <time dateTime={e.at} title={e.at}>
                            {formatDateTime(e.at)}
                          </time>
                        </td>
                        <td className="nowrap" title={e.actor_email ?? undefined}>
                          {actorName(dir, e)}
                        </td>
                        <td title={e.action}>{actionLabel(e.action)}</td>
                        <td className="nowrap">
                          <RecordRef entity={e.entity} id={e.record_id} />
                        </td>
                        <td className="mono nowrap">{e.address ?? ''}</td>
                        <td className="audit-detail">
                          <span className="audit-summary" title={summary.title}>
                            {summary.text}
                          </span>{' '}
                          <button
                            type="button"
                            className="btn btn-link btn-sm"
                            aria-expanded={expanded}
                            aria-controls={`audit-json-${e.id}`}
                            onClick={() => toggle(e.id)}
                          >
                            {expanded ? t('audit.hideJson') : t('audit.showJson')}
                          </button>
                        </td>
                      </tr>
                      {expanded && (
                        <tr className="audit-json-row" id={`audit-json-${e.id}`}>
                          <td colSpan={6}>
                            <dl className="details compact">
                              <div className="detail">
                                <dt>{t('audit.code')}</dt>
                                <dd className="mono">
                                  #{e.id} · {e.action}
                                  {e.actor_email ? ` · ${e.actor_email}` : ''}
                                </dd>
                              </div>
                              {e.agent && (
                                <div className="detail">
                                  <dt>{t('audit.agent')}</dt>
                                  <dd className="mono">{e.agent}</dd>
                                </div>
                              )}
                            </dl>
                            <pre className="audit-json">{JSON.stringify(e.detail, null, 2)}</pre>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {rows !== null && rows.length > 0 && (
          <div className="pager">
            <span className="pager-info" role="status">
              {t('common.rows', { n: rows.length })}
            </span>
            {cursor && filters && (
              <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void load(filters, cursor)}>
                {busy ? t('common.loading') : t('common.loadMore')}
              </button>
            )}
          </div>
        )}
      </div>
      )}
    </section>
  );
}

/** A link to the record when the entry is about a company or contact; otherwise its kind and id. */
function RecordRef({ entity, id }: { entity: string | null; id: number | null }) {
  if (!entity || !id) return null;
  if (entity === 'companies' || entity === 'contacts')
    return <a href={`#/${entity}/${id}`}>{t(entity === 'companies' ? 'audit.companyRef' : 'audit.contactRef', { id })}</a>;
  return (
    <span className="muted">
      {entity} #{id}
    </span>
  );
}

/** "Chain intact: N entries, M signed checkpoints", or the problems in a red banner. */
function VerifyStatus() {
  const [v, setV] = useState<AuditVerify | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(true);
  const run = useCallback(() => {
    setBusy(true);
    audit
      .verify()
      .then((r) => {
        setV(r);
        setError(null);
      })
      .catch((e) => setError(e))
      .finally(() => setBusy(false));
  }, []);
  useEffect(run, [run]);

  const again = (
    <button type="button" className="btn btn-sm" onClick={run} disabled={busy}>
      {busy ? t('audit.verifying') : t('audit.verifyAgain')}
    </button>
  );
  if (error !== null)
    return <ErrorBanner message={t('audit.verifyFailed', { error: errorText(error) })}>{again}</ErrorBanner>;
  if (!v)
    return (
      <div className="banner banner-info audit-verify" role="status">
        <div className="banner-body">{t('audit.verifying')}</div>
      </div>
    );
  if (!v.ok)
    return (
      <div className="audit-verify" data-verify="broken">
        <ErrorBanner message={t('audit.broken')} extra={v.problems}>
          {again}
        </ErrorBanner>
      </div>
    );
  return (
    <div className="banner banner-ok audit-verify" role="status" data-verify="ok">
      <div className="banner-body">
        <strong className="banner-text">{t('audit.intact', { n: v.entries, m: v.checkpoints })}</strong>
        {!v.signatures_checked && <div className="muted">{t('audit.unsigned')}</div>}
      </div>
      <div className="banner-actions">{again}</div>
    </div>
  );
}

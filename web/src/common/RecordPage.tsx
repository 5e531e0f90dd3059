import { useCallback, useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ApiError, currentUser, customFields, etagOf, records, type AnyRecord, type CustomFieldDef, type FieldError } from '../api';
import { formatDate, formatDateTime, formatMoney } from '../format';
import { t } from '../i18n';
import { can, isHidden, isReadonly } from '../rights';
import { HistoryPanel } from '../audit/HistoryPanel';
import { navigate, parseHash, replaceQuery } from '../router';
import { ConfirmDialog } from './ConfirmDialog';
import { formatCustom } from './customValues';
import { et, type EntityConfig, type FieldSpec, type FormExtension } from './entity';
import { ErrorBanner, errorText } from './ErrorBanner';
import { errorsFor } from './FormField';
import { buildBody, compactLists, toFormState, type FormState } from './formState';
import { useUsers } from './inputs';
import { RecordForm } from './RecordForm';
import { SharingPanel } from './SharingPanel';
import { ContactLinks, useCurrencies, usePipelines } from './salesInputs';
import { useToast } from './Toast';
import { useTitle } from './hooks';

export type Mode = 'view' | 'edit' | 'create';

interface Props<T extends AnyRecord> {
  config: EntityConfig<T>;
  id: number | null;
  mode: Mode;
  /** Initial values for a new record (e.g. company_id when adding a contact from a company). */
  preset?: Partial<FormState['fields']>;
  /** A side panel on the view (a company's contacts). */
  aside?: (r: T) => ReactNode;
  /** Above the view's tabs (a deal's stage bar); `reload` fetches the record again after a change. */
  lead?: (r: T, reload: () => void) => ReactNode;
  /** Below the details on the view (a deal's stage history). */
  main?: (r: T) => ReactNode;
  /** A part of the form with its own state, saved with the record (a deal's line items). */
  extension?: FormExtension<T>;
}

function initials(s: string): string {
  return s
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.charAt(0))
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

/** The view, edit and create screens of one record. */
export function RecordPage<T extends AnyRecord>({ config: full, id, mode, preset, aside, lead, main, extension }: Props<T>) {
  const { entity } = full;
  // The role's field rules: hidden fields are left out everywhere, read-only ones are not sent.
  // A field set at creation only (a deal's pipeline) is not in the edit form.
  const config: EntityConfig<T> = {
    ...full,
    fields: full.fields.filter((f) => !isHidden(entity, f.name) && !(mode === 'edit' && f.createOnly)),
  };
  const toast = useToast();
  const [record, setRecord] = useState<T | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  // The extension's state: undefined until loaded; `extOriginal` is what it was (null when creating).
  const [ext, setExt] = useState<unknown>(undefined);
  const [extOriginal, setExtOriginal] = useState<unknown>(null);
  const locked =
    extension && ext !== undefined
      ? extension.locked(ext)
      : record && mode === 'edit' && full.locked
        ? full.locked(record)
        : {};
  const writable = config.fields.filter((f) => !isReadonly(entity, f.name) && !(f.name in locked));
  const [defs, setDefs] = useState<CustomFieldDef[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState<FormState | null>(null);
  const [original, setOriginal] = useState<FormState | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<{ text: string; extra?: string[]; conflict?: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // The view's tabs; ?tab=history opens the history directly.
  const [tab, setTab] = useState<Tab>(() => (parseHash(window.location.hash).query.get('tab') === 'history' ? 'history' : 'details'));
  useTitle(mode === 'create' ? et(entity, 'new') : record ? config.title(record) : et(entity, 'title'));

  useEffect(() => {
    let live = true;
    customFields
      .list(entity)
      .then(
        (d) =>
          live &&
          setDefs(
            d.filter((x) => !isHidden(entity, `custom.${x.name}`)).sort((a, b) => a.position - b.position || a.id - b.id),
          ),
      )
      .catch(() => live && setDefs([]));
    return () => {
      live = false;
    };
  }, [entity]);

  const load = useCallback(async () => {
    if (id === null) return null;
    try {
      const r = await records.get<T>(entity, id);
      setRecord(r.data);
      setEtag(etagOf(r));
      setLoadError(null);
      return r.data;
    } catch (e) {
      setLoadError(e);
      return null;
    }
  }, [entity, id]);

  useEffect(() => {
    setRecord(null);
    setLoadError(null);
    void load();
  }, [load]);

  // Entering the form (or reloading after a conflict) starts from the record as loaded.
  const ready = defs !== null && (mode === 'create' || record !== null);
  useEffect(() => {
    if (!ready || mode === 'view') return;
    const base = toFormState(config.fields, defs ?? [], mode === 'create' ? null : record);
    if (mode === 'create') {
      // A new record belongs to its creator unless another owner is chosen (the server's default too).
      const me = currentUser();
      if (me && config.fields.some((f) => f.kind === 'owner')) base.fields.owner_id = String(me.id);
      if (preset) base.fields = { ...base.fields, ...(preset as FormState['fields']) };
    }
    setForm(base);
    setOriginal(mode === 'create' ? null : base);
    setErrors([]);
    setBanner(null);
  }, [ready, mode, record?.id, record?.version]);

  useEffect(() => {
    if (!ready || mode === 'view' || !extension) return;
    let live = true;
    setExt(undefined);
    extension
      .load(mode === 'create' ? null : record)
      .then((st) => {
        if (!live) return;
        setExt(st);
        setExtOriginal(mode === 'create' ? null : st);
      })
      .catch((e) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [ready, mode, record?.id, record?.version]);

  const knownFields = [
    ...config.fields.map((f) => (f.kind === 'company' ? 'company_id' : f.name)),
    ...(defs ?? []).map((d) => `custom.${d.name}`),
    ...(extension?.fields ?? []),
  ];

  async function save() {
    if (!form || !defs) return;
    const compact = compactLists(config.fields, form);
    setForm(compact);
    const { body, localErrors } = buildBody(
      writable,
      defs.filter((d) => !isReadonly(entity, `custom.${d.name}`)),
      compact,
      original,
    );
    if (extension && ext !== undefined) Object.assign(body, extension.body(ext, extOriginal, compact));
    if (localErrors.length) {
      setErrors(localErrors);
      setBanner({ text: t('error.invalid') });
      return;
    }
    if (mode === 'edit' && Object.keys(body).length === 0 && record) {
      navigate(`/${entity}/${record.id}`);
      return;
    }
    setSaving(true);
    setBanner(null);
    try {
      const res =
        mode === 'create'
          ? await records.create<T>(entity, body)
          : await records.update<T>(entity, record!.id, body, etag);
      setRecord(res.data);
      setEtag(etagOf(res));
      setErrors([]);
      toast(et(entity, mode === 'create' ? 'created' : 'saved'));
      navigate(`/${entity}/${res.data.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        setBanner({ text: t('error.conflict'), conflict: true });
      } else if (e instanceof ApiError && e.errors.length) {
        setErrors(e.errors);
        const unknown = e.errors
          .filter((x) => !knownFields.some((k) => errorsFor([x], k).length))
          .map((x) => `${x.field} ${x.message}`.trim());
        setBanner({ text: e.detail || t('error.invalid'), extra: unknown });
      } else {
        setBanner({ text: errorText(e) });
      }
    } finally {
      setSaving(false);
    }
  }

  async function reloadAfterConflict() {
    setBanner(null);
    const r = await load();
    if (r) {
      const base = toFormState(config.fields, defs ?? [], r);
      setForm(base);
      setOriginal(base);
      setErrors([]);
    }
  }

  async function remove() {
    if (!record) return;
    setDeleting(true);
    try {
      await records.remove(entity, record.id);
      const rid = record.id;
      toast(et(entity, 'deleted'), {
        label: t('common.undo'),
        run: () => {
          records
            .restore(entity, rid)
            .then(() => navigate(`/${entity}/${rid}`))
            .catch(() => {});
        },
      });
      navigate(`/${entity}`);
    } catch (e) {
      setConfirming(false);
      setBanner({ text: errorText(e) });
    } finally {
      setDeleting(false);
    }
  }

  function cancel() {
    setBanner(null); // the form's problems are not the view's
    navigate(mode === 'create' || !record ? `/${entity}` : `/${entity}/${record.id}`);
  }

  if (loadError) {
    return (
      <section className="page">
        <ErrorBanner error={loadError}>
          <a className="btn btn-sm" href={`#/${entity}`}>
            {t('common.backToList')}
          </a>
        </ErrorBanner>
      </section>
    );
  }
  if (!ready || (mode !== 'view' && (!form || (extension && ext === undefined)))) {
    return (
      <section className="page">
        <div className="card placeholder">{t('common.loading')}</div>
      </section>
    );
  }

  const title = mode === 'create' ? et(entity, 'new') : config.title(record!);

  if (mode !== 'view') {
    const bannerNode = banner ? (
      <ErrorBanner message={banner.text} extra={banner.extra}>
        {banner.conflict && (
          <button type="button" className="btn btn-sm btn-primary" onClick={reloadAfterConflict}>
            {t('common.reload')}
          </button>
        )}
      </ErrorBanner>
    ) : null;
    return (
      <section className="page page-narrow">
        <nav className="breadcrumbs">
          <a href={`#/${entity}`}>{et(entity, 'title')}</a>
          {record && mode === 'edit' && (
            <>
              <span aria-hidden="true"> / </span>
              <a href={`#/${entity}/${record.id}`}>{title}</a>
            </>
          )}
        </nav>
        <header className="page-header">
          <h1>{mode === 'create' ? title : `${t('common.edit')}: ${title}`}</h1>
        </header>
        <RecordForm
          fields={config.fields}
          defs={defs ?? []}
          state={form!}
          errors={errors}
          saving={saving}
          submitLabel={mode === 'create' ? et(entity, 'create') : t('common.save')}
          banner={bannerNode}
          extra={extension?.render({ state: ext, form: form!, errors, onChange: setExt })}
          readonly={(name) => isReadonly(entity, name)}
          locked={locked}
          onChange={setForm}
          onSubmit={save}
          onCancel={cancel}
        />
      </section>
    );
  }

  const r = record!;
  const customDefs = defs ?? [];
  // The History tab is there when the role gives the audit right on this entity (the server decides per record).
  const withHistory = can(entity, 'audit');
  const showing: Tab = withHistory ? tab : 'details';
  const chooseTab = (next: Tab) => {
    setTab(next);
    replaceQuery(next === 'history' ? { tab: 'history' } : {});
  };
  return (
    <section className="page">
      <nav className="breadcrumbs">
        <a href={`#/${entity}`}>{et(entity, 'title')}</a>
      </nav>
      <header className="page-header record-header">
        <div className="record-title">
          <span className={`avatar avatar-lg avatar-${entity}`} aria-hidden="true">
            {initials(title) || '?'}
          </span>
          <div>
            <h1>{title}</h1>
            {config.subtitle && <div className="subtitle">{config.subtitle(r)}</div>}
          </div>
        </div>
        <div className="page-actions">
          {currentUser()?.is_admin && (
            <a className="btn btn-ghost" href={`#/admin/transfer?entity=${entity}&ids=${r.id}`}>
              {t('transfer.one')}
            </a>
          )}
          {can(entity, 'delete') && (
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)}>
              {t('common.moveToTrash')}
            </button>
          )}
          {can(entity, 'update') && (
            <a className="btn btn-primary" href={`#/${entity}/${r.id}/edit`}>
              {t('common.edit')}
            </a>
          )}
        </div>
      </header>
      {banner && <ErrorBanner message={banner.text} onDismiss={() => setBanner(null)} />}
      {lead?.(r, () => void load())}
      {withHistory && <RecordTabs tab={showing} onChange={chooseTab} />}
      <div className="record-grid">
        <div
          className="record-main"
          role={withHistory ? 'tabpanel' : undefined}
          id={withHistory ? `record-panel-${showing}` : undefined}
          aria-labelledby={withHistory ? `record-tab-${showing}` : undefined}
        >
          {showing === 'history' ? (
            <section className="card" aria-labelledby="history-title">
              <div className="card-head">
                <h2 className="card-title" id="history-title">
                  {t('history.title')}
                </h2>
                {currentUser()?.is_admin && (
                  <a className="btn btn-sm" href={`#/admin/audit?entity=${entity}&record_id=${r.id}`}>
                    {t('history.inAuditLog')}
                  </a>
                )}
              </div>
              <HistoryPanel entity={entity} id={r.id} defs={customDefs} />
            </section>
          ) : (
          <>
          <section className="card">
            <h2 className="card-title">{t('record.about')}</h2>
            <dl className="details">
              {config.fields.map((f) => (
                <DetailRow key={f.name} spec={f} record={r} />
              ))}
            </dl>
          </section>
          {customDefs.length > 0 && (
            <section className="card">
              <h2 className="card-title">{t('form.customFields')}</h2>
              <dl className="details">
                {customDefs.map((d) => {
                  const v = formatCustom(d, r.custom?.[d.name]);
                  return (
                    <div className="detail" key={d.id} data-field={`custom.${d.name}`}>
                      <dt>{d.label}</dt>
                      <dd>{v ? d.type === 'url' ? <a href={v} target="_blank" rel="noreferrer">{v}</a> : v : <span className="muted">{t('record.none')}</span>}</dd>
                    </div>
                  );
                })}
              </dl>
            </section>
          )}
          {main?.(r)}
          </>
          )}
        </div>
        <aside className="record-aside">
          {aside?.(r)}
          {can(entity, 'update') && <SharingPanel entity={entity} id={r.id} />}
          <section className="card meta-card">
            <dl className="details compact">
              <div className="detail">
                <dt>{t('field.created_at')}</dt>
                <dd>{formatDateTime(r.created_at)}</dd>
              </div>
              <div className="detail">
                <dt>{t('field.updated_at')}</dt>
                <dd>{formatDateTime(r.updated_at)}</dd>
              </div>
              <div className="detail">
                <dt>{t('field.id')}</dt>
                <dd>
                  #{r.id} · v{r.version}
                </dd>
              </div>
            </dl>
          </section>
        </aside>
      </div>
      {confirming && (
        <ConfirmDialog
          title={et(entity, 'confirmDeleteTitle')}
          message={et(entity, 'confirmDelete', { name: title })}
          confirmLabel={t('common.moveToTrash')}
          danger
          busy={deleting}
          onConfirm={remove}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

type Tab = 'details' | 'history';
const TABS: Tab[] = ['details', 'history'];

/** Details | History, as ARIA tabs: arrows, Home and End move between them. */
function RecordTabs({ tab, onChange }: { tab: Tab; onChange: (t: Tab) => void }) {
  function onKey(e: KeyboardEvent<HTMLButtonElement>) {
    const i = TABS.indexOf(tab);
    let next: Tab | null = null;
    if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
    else if (e.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
    else if (e.key === 'Home') next = TABS[0];
    else if (e.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    e.preventDefault();
    onChange(next);
    document.getElementById(`record-tab-${next}`)?.focus();
  }
  return (
    <div className="tabs record-tabs" role="tablist" aria-label={t('record.sections')}>
      {TABS.map((x) => (
        <button
          key={x}
          type="button"
          role="tab"
          id={`record-tab-${x}`}
          aria-selected={x === tab}
          aria-controls={x === tab ? `record-panel-${x}` : undefined}
          tabIndex={x === tab ? 0 : -1}
          className={x === tab ? 'tab active' : 'tab'}
          onClick={() => onChange(x)}
          onKeyDown={onKey}
        >
          {x === 'history' ? t('history.title') : t('record.details')}
        </button>
      ))}
    </div>
  );
}

function DetailRow({ spec, record }: { spec: FieldSpec; record: AnyRecord }) {
  const users = useUsers();
  const v = (record as unknown as Record<string, unknown>)[spec.kind === 'company' ? 'company_id' : spec.name];
  let body: ReactNode = null;
  switch (spec.kind) {
    case 'emails':
      if (Array.isArray(v) && v.length)
        body = v.map((x: string) => (
          <div key={x}>
            <a href={`mailto:${x}`}>{x}</a>
          </div>
        ));
      break;
    case 'phones':
      if (Array.isArray(v) && v.length)
        body = v.map((x: string) => (
          <div key={x}>
            <a href={`tel:${x.replace(/[^\d+]/g, '')}`}>{x}</a>
          </div>
        ));
      break;
    case 'tags':
      if (Array.isArray(v) && v.length)
        body = (
          <span className="tags">
            {v.map((x: string) => (
              <span className="tag" key={x}>
                {x}
              </span>
            ))}
          </span>
        );
      break;
    case 'url':
      if (typeof v === 'string' && v)
        body = (
          <a href={/^https?:\/\//i.test(v) ? v : `https://${v}`} target="_blank" rel="noreferrer">
            {v}
          </a>
        );
      break;
    case 'company': {
      const name = (record as unknown as Record<string, unknown>).company_name;
      if (v) body = <a href={`#/companies/${v}`}>{typeof name === 'string' && name ? name : `#${v}`}</a>;
      break;
    }
    case 'owner':
      if (v) {
        const u = users.find((x) => x.id === v);
        body = u ? u.name || u.email : `#${v}`;
      }
      break;
    case 'date':
      if (typeof v === 'string' && v) body = formatDate(v);
      break;
    case 'amount':
      if (typeof v === 'number') body = <AmountDetail record={record} />;
      break;
    case 'pipeline':
      if (v) body = <PipelineName id={Number(v)} />;
      break;
    case 'stage': {
      const name = (record as unknown as Record<string, unknown>).stage_name;
      if (v) body = typeof name === 'string' && name ? name : `#${v}`;
      break;
    }
    case 'contacts':
      if (Array.isArray(v) && v.length) body = <ContactLinks ids={v as number[]} />;
      break;
    case 'textarea':
      if (typeof v === 'string' && v) body = <div className="prewrap">{v}</div>;
      break;
    default:
      if (v !== null && v !== undefined && v !== '') body = String(v);
  }
  return (
    <div className={spec.wide || spec.kind === 'textarea' ? 'detail wide' : 'detail'} data-field={spec.name}>
      <dt>{t(spec.label)}</dt>
      <dd>{body ?? <span className="muted">{t('record.none')}</span>}</dd>
    </div>
  );
}

/** A deal's amount in its currency, and in the base currency when that differs. */
function AmountDetail({ record }: { record: AnyRecord }) {
  const r = record as unknown as { amount: number; currency: string | null; amount_base: number | null };
  const cur = useCurrencies();
  const base = cur?.base ?? '';
  const own = formatMoney({ amount: r.amount, currency: r.currency || base });
  if (!base || !r.currency || r.currency === base) return <>{own}</>;
  return (
    <>
      {own}
      <div className="muted small">
        {r.amount_base === null ? t('deals.noRate') : t('deals.amountBase', { amount: formatMoney({ amount: r.amount_base, currency: base }) })}
      </div>
    </>
  );
}

function PipelineName({ id }: { id: number }) {
  const list = usePipelines();
  return <>{list?.find((p) => p.id === id)?.name ?? `#${id}`}</>;
}

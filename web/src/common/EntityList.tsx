import { useEffect, useMemo, useState } from 'react';
import { records, type AnyRecord, type Query } from '../api';
import { t } from '../i18n';
import { formatDateTime } from '../format';
import { can, isHidden } from '../rights';
import { replaceQuery } from '../router';
import { DataTable } from './DataTable';
import { et, type Column, type EntityConfig } from './entity';
import { ErrorBanner } from './ErrorBanner';
import { exportColumns, ExportMenu } from './ExportMenu';
import { ImportLink } from '../imports/ImportLink';
import { useDebounced, useTitle } from './hooks';
import { useToast } from './Toast';

interface Props<T extends AnyRecord> {
  config: EntityConfig<T>;
  query: URLSearchParams;
  trash?: boolean;
}

const PAGE = 25;

/**
 * A collection screen: per-list search (q), filters, sortable headers, and paging by
 * next_cursor with a stack of cursors for Previous. With `trash` it lists ?deleted=true
 * and offers Restore.
 */
export function EntityList<T extends AnyRecord>({ config, query, trash }: Props<T>) {
  const { entity } = config;
  const toast = useToast();
  // What the role hides is neither shown nor filtered on (the server refuses both).
  const filterDefs = config.filters.filter((f) => !isHidden(entity, f.name === 'tag' ? 'tags' : f.name));
  const mayCreate = can(entity, 'create');
  const [qText, setQText] = useState(query.get('q') ?? '');
  const [sort, setSort] = useState(query.get('sort') ?? '');
  const [filterText, setFilterText] = useState<Record<string, string>>(() =>
    Object.fromEntries(filterDefs.map((f) => [f.name, query.get(f.name) ?? ''])),
  );
  const q = useDebounced(qText.trim(), 250);
  const filters = useDebounced(filterText, 250);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ rows: T[]; next: string | null } | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  useTitle(trash ? et(entity, 'trash') : et(entity, 'title'));

  const baseQuery = useMemo(() => {
    const qy: Query = { q, sort, limit: PAGE };
    for (const [k, v] of Object.entries(filters)) qy[k] = v.trim();
    if (trash) qy.deleted = 'true';
    return qy;
  }, [q, sort, filters, trash]);
  const baseKey = JSON.stringify(baseQuery);

  // A new search, sort or filter starts again from the first page, and is kept in the URL.
  useEffect(() => {
    setCursors([null]);
    const keep: Record<string, string> = {};
    if (q) keep.q = q;
    if (sort) keep.sort = sort;
    for (const [k, v] of Object.entries(filters)) if (v.trim()) keep[k] = v.trim();
    replaceQuery(keep);
  }, [baseKey]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    records
      .list<T>(entity, { ...baseQuery, cursor }, ctl.signal)
      .then((p) => {
        setPage({ rows: p.data, next: p.next_cursor });
        setError(null);
        setLoading(false);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [entity, baseKey, cursor, reloadTick]);

  function toggleSort(field: string) {
    setSort((s) => (s === field ? `-${field}` : field));
  }

  async function restore(r: T) {
    setRestoring(r.id);
    try {
      await records.restore(entity, r.id);
      toast(et(entity, 'restored'));
      setPage((p) => (p ? { ...p, rows: p.rows.filter((x) => x.id !== r.id) } : p));
    } catch (e) {
      setError(e);
    } finally {
      setRestoring(null);
    }
  }

  const filtered = q !== '' || Object.values(filters).some((v) => v.trim() !== '');
  const visible = config.columns.filter((c) => !c.field || !isHidden(entity, c.field));
  const columns: Column<T>[] = trash
    ? [
        ...visible.filter((c) => c.key !== 'updated_at'),
        { key: 'deleted_at', label: 'field.deleted_at', render: (r) => formatDateTime(r.deleted_at) },
      ]
    : visible;
  const rows = page?.rows ?? [];
  const pageNo = cursors.length;

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{trash ? et(entity, 'trash') : et(entity, 'title')}</h1>
        </div>
        <div className="page-actions">
          {trash ? (
            <a className="btn" href={`#/${entity}`}>
              ← {t('common.backToList')}
            </a>
          ) : (
            <>
              <ExportMenu entity={entity} query={baseQuery} columns={exportColumns(entity, visible)} />
              <ImportLink entity={entity} />
              <a className="btn btn-ghost" href={`#/${entity}/trash`}>
                <TrashIcon /> {t('common.trash')}
              </a>
              {mayCreate && (
                <a className="btn btn-primary" href={`#/${entity}/new`}>
                  + {et(entity, 'new')}
                </a>
              )}
            </>
          )}
        </div>
      </header>

      <div className="toolbar" role="search">
        <label className="field-inline grow">
          <span className="sr-only">{t('common.search')}</span>
          <input
            type="search"
            className="input"
            placeholder={et(entity, 'search')}
            value={qText}
            onChange={(e) => setQText(e.target.value)}
            aria-label={et(entity, 'search')}
          />
        </label>
        {!trash &&
          filterDefs.map((f) => (
            <label className="field-inline" key={f.name}>
              <span className="field-inline-label">{t(f.label)}</span>
              <input
                className="input input-sm"
                name={`filter-${f.name}`}
                value={filterText[f.name] ?? ''}
                onChange={(e) => setFilterText((x) => ({ ...x, [f.name]: e.target.value }))}
              />
            </label>
          ))}
        {!trash && filtered && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setQText('');
              setFilterText(Object.fromEntries(filterDefs.map((f) => [f.name, ''])));
            }}
          >
            {t('common.clearFilters')}
          </button>
        )}
      </div>

      {error !== null && (
        <ErrorBanner error={error} onDismiss={() => setError(null)}>
          <button type="button" className="btn btn-sm" onClick={() => setReloadTick((x) => x + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      )}

      {page === null && loading ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : rows.length === 0 && !loading && error === null ? (
        <div className="card empty-state">
          <div className="empty-icon" aria-hidden="true">
            {trash ? <TrashIcon /> : <PlusIcon />}
          </div>
          <p>
            {trash
              ? et(entity, 'trashEmpty')
              : filtered || pageNo > 1
                ? et(entity, 'emptyFiltered')
                : et(entity, 'empty')}
          </p>
          {!trash && !filtered && mayCreate && (
            <a className="btn btn-primary" href={`#/${entity}/new`}>
              + {et(entity, 'new')}
            </a>
          )}
        </div>
      ) : (
        <div className="card table-card">
          <DataTable
            columns={columns}
            rows={rows}
            sort={sort}
            onSort={toggleSort}
            busy={loading}
            caption={trash ? et(entity, 'trash') : et(entity, 'title')}
            rowHref={trash ? undefined : (r) => `/${entity}/${r.id}`}
            actions={
              trash
                ? (r) => (
                    <button
                      type="button"
                      className="btn btn-sm"
                      disabled={restoring === r.id}
                      onClick={() => restore(r)}
                      aria-label={`${t('common.restore')} ${config.title(r)}`}
                    >
                      {restoring === r.id ? t('common.restoring') : t('common.restore')}
                    </button>
                  )
                : undefined
            }
          />
          <footer className="pager">
            <span className="pager-info">
              {t('common.page', { n: pageNo })} · {t('common.rows', { n: rows.length })}
            </span>
            <div className="pager-buttons">
              <button
                type="button"
                className="btn btn-sm"
                disabled={cursors.length <= 1 || loading}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                ← {t('common.previous')}
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={!page?.next || loading}
                onClick={() => page?.next && setCursors((c) => [...c, page.next])}
              >
                {t('common.next')} →
              </button>
            </div>
          </footer>
        </div>
      )}
    </section>
  );
}

export function PlusIcon() {
  return (
    <svg className="inline-icon" viewBox="0 0 20 20" aria-hidden="true">
      <path d="M10 4v12M4 10h12" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

export function TrashIcon() {
  return (
    <svg className="inline-icon" viewBox="0 0 20 20" aria-hidden="true">
      <path d="M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

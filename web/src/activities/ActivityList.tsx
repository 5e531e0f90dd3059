import './activities.css';
import { useEffect, useState } from 'react';
import { activities, type Activity } from '../api';
import { DataTable } from '../common/DataTable';
import type { Column } from '../common/entity';
import { ErrorBanner } from '../common/ErrorBanner';
import { exportColumns, ExportMenu } from '../common/ExportMenu';
import { ImportLink } from '../imports/ImportLink';
import { useDebounced, useTitle } from '../common/hooks';
import { OwnerName } from '../deals/OwnerName';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { can } from '../rights';
import { replaceQuery } from '../router';
import { ActivityFilters } from './ActivityFilters';
import { ActivityLinks } from './ActivityLinks';
import { activityTitle, activityWhen } from './activityText';
import { KindIcon } from './KindIcon';
import { statusLabel } from './kinds';
import { apiQuery, FILTER_KEYS, filtersOf, type ListFilters } from './listQuery';

const columns: Column<Activity>[] = [
  { key: 'kind', label: 'field.kind', render: (a) => <KindIcon name={a.kind} />, className: 'nowrap' },
  { key: 'subject', label: 'field.subject', sort: 'subject', render: (a) => <strong>{activityTitle(a)}</strong> },
  {
    key: 'about',
    label: 'activity.about',
    export: ['company_id', 'company_name', 'contact_id', 'contact_name', 'deal_id', 'deal_name'],
    render: (a) => <ActivityLinks a={a} />,
  },
  {
    key: 'when',
    label: 'field.due_at',
    export: ['due_at', 'start_at'],
    sort: 'due_at',
    render: (a) => <span className={a.overdue ? 'overdue-text' : undefined}>{formatDateTime(activityWhen(a))}{a.overdue ? ` · ${t('activity.overdue')}` : ''}</span>,
    className: 'nowrap',
  },
  { key: 'status', label: 'field.status', render: (a) => t(statusLabel(a.status)), className: 'nowrap' },
  { key: 'owner', label: 'field.owner', export: ['owner_id', 'owner_name'], render: (a) => <OwnerName id={a.owner_id} />, className: 'nowrap' },
];

/** #/activities: every activity the user may read, filtered as the hash says, 50 at a time. */
export function ActivityList({ query }: { query: URLSearchParams }) {
  useTitle(t('activities.title'));
  const [filters, setFilters] = useState<ListFilters>(() => filtersOf(query));
  const debounced = useDebounced(filters, 200);
  const [rows, setRows] = useState<Activity[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(debounced);

  useEffect(() => {
    replaceQuery(Object.fromEntries(FILTER_KEYS.map((k) => [k, debounced[k]])));
    const ctl = new AbortController();
    setBusy(true);
    activities
      .list(apiQuery(debounced), ctl.signal)
      .then((p) => {
        setRows(p.data);
        setNext(p.next_cursor);
        setError(null);
      })
      .catch((e) => !(e instanceof DOMException) && setError(e))
      .finally(() => setBusy(false));
    return () => ctl.abort();
  }, [key]);

  async function more() {
    if (!next) return;
    setBusy(true);
    try {
      const p = await activities.list({ ...apiQuery(debounced), cursor: next });
      setRows((xs) => [...(xs ?? []), ...p.data]);
      setNext(p.next_cursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const sort = (field: string) => setFilters((f) => ({ ...f, sort: f.sort === field ? `-${field}` : field }));
  return (
    <section className="page">
      <header className="page-header">
        <h1>{t('activities.title')}</h1>
        <div className="page-actions">
          <ExportMenu entity="activities" query={apiQuery(debounced)} columns={exportColumns('activities', columns)} />
          <ImportLink entity="activities" />
          <a className="btn" href="#/my-day">
            {t('myday.title')}
          </a>
          {can('activities', 'create') && (
            <a className="btn btn-primary" href="#/activities/new?kind=task">
              + {t('activity.new.any')}
            </a>
          )}
        </div>
      </header>
      <ActivityFilters value={filters} onChange={setFilters} />
      {error !== null && <ErrorBanner error={error} />}
      {rows === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : rows.length === 0 ? (
        <div className="card placeholder">{t('activities.empty')}</div>
      ) : (
        <DataTable columns={columns} rows={rows} sort={filters.sort} onSort={sort} rowHref={(a) => `/activities/${a.id}`} busy={busy} caption={t('activities.title')} />
      )}
      {next && (
        <div className="history-more">
          <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void more()}>
            {busy ? t('common.loading') : t('common.loadMore')}
          </button>
        </div>
      )}
    </section>
  );
}

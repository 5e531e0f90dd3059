import { useEffect, useState } from 'react';
import { records, type Deal } from '../api';
import { DataTable } from '../common/DataTable';
import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { isHidden } from '../rights';
import { dealConfig } from './config';
import type { Filters } from './filters';

interface Props {
  /** The filters with the pipeline resolved; any filter GET /deals takes (from the funnel, too). */
  filters: Filters;
  sort: string;
  onSort: (sort: string) => void;
}

const PAGE = 25;

/** The deals as a table: sortable headers, paging by cursor, the stuck flag. */
export function DealList({ filters, sort, onSort }: Props) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ rows: Deal[]; next: string | null } | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([filters, sort]);

  useEffect(() => setCursors([null]), [key]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    records
      .list<Deal>('deals', { ...filters, sort, cursor, limit: PAGE }, ctl.signal)
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
  }, [key, cursor, tick]);

  const columns = dealConfig.columns.filter((c) => !c.field || !isHidden('deals', c.field));
  const rows = page?.rows ?? [];

  if (error !== null) {
    return (
      <ErrorBanner error={error}>
        <button type="button" className="btn btn-sm" onClick={() => setTick((x) => x + 1)}>
          {t('common.retry')}
        </button>
      </ErrorBanner>
    );
  }
  if (page === null) return <div className="card placeholder">{t('common.loading')}</div>;
  if (rows.length === 0 && !loading) {
    return (
      <div className="card empty-state">
        <p>{t('deals.emptyFiltered')}</p>
      </div>
    );
  }
  return (
    <div className="card table-card">
      <DataTable
        columns={columns}
        rows={rows}
        sort={sort}
        onSort={(f) => onSort(sort === f ? `-${f}` : f)}
        busy={loading}
        caption={t('deals.title')}
        rowHref={(r) => `/deals/${r.id}`}
      />
      <footer className="pager">
        <span className="pager-info">
          {t('common.page', { n: cursors.length })} · {t('common.rows', { n: rows.length })}
        </span>
        <div className="pager-buttons">
          <button type="button" className="btn btn-sm" disabled={cursors.length <= 1 || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← {t('common.previous')}
          </button>
          <button type="button" className="btn btn-sm" disabled={!page.next || loading} onClick={() => page.next && setCursors((c) => [...c, page.next])}>
            {t('common.next')} →
          </button>
        </div>
      </footer>
    </div>
  );
}

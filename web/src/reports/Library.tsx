import { useEffect, useState } from 'react';
import { currentUser } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { t, type Key } from '../i18n';
import { GROUPS, groupOf, type Group } from './library';
import { reportExplanation, reportName } from './names';
import { reports, type SavedReport } from './reportsApi';
import { ReportsTabs } from './ReportsTabs';

const GROUP_LABEL: Record<Group, Key> = {
  sales: 'rw.group.sales',
  activities: 'rw.group.activities',
  clients: 'rw.group.clients',
  operations: 'rw.group.operations',
  quality: 'rw.group.quality',
};

/** #/reports: the ready reports and the user's own and shared ones, grouped, each with its one line. */
export function Library() {
  useTitle(t('rw.library'));
  const [list, setList] = useState<SavedReport[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    reports
      .list(ctl.signal)
      .then(setList)
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, []);
  const me = currentUser()?.id;
  const owned = (r: SavedReport) => (r.builtin ? null : r.owner_id === me ? t('rw.mine') : t('rw.shared'));
  return (
    <section className="page page-wide">
      <header className="page-header">
        <h1>{t('rw.title')}</h1>
        <div className="page-actions">
          <a className="btn btn-primary" href="#/reports/new">
            {t('rw.new')}
          </a>
        </div>
      </header>
      <ReportsTabs current="library" />
      {error !== null && <ErrorBanner error={error} />}
      {list === null && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {list !== null && (
        <section className="card report-group" aria-labelledby="rg-own">
          <h2 className="card-title" id="rg-own">
            {t('rw.group.own')}
          </h2>
          {list.some((r) => !r.builtin) ? (
            <ReportList items={list.filter((r) => !r.builtin)} badge={owned} />
          ) : (
            <p className="muted">{t('rw.noOwn')}</p>
          )}
        </section>
      )}
      {list !== null &&
        GROUPS.map((g) => (
          <section key={g} className="card report-group" aria-labelledby={`rg-${g}`}>
            <h2 className="card-title" id={`rg-${g}`}>
              {t(GROUP_LABEL[g])}
            </h2>
            <ReportList items={list.filter((r) => r.builtin !== null && groupOf(r.builtin) === g)} funnel={g === 'sales'} badge={owned} />
          </section>
        ))}
    </section>
  );
}

function ReportList({ items, funnel, badge }: { items: SavedReport[]; funnel?: boolean; badge: (r: SavedReport) => string | null }) {
  return (
    <ul className="report-list">
      {funnel && (
        <li>
          <a href="#/reports/funnel">{t('nav.funnel')}</a>
          <span className="muted">{t('rw.funnelLine')}</span>
        </li>
      )}
      {items.map((r) => (
        <li key={r.id} data-report={r.builtin ?? r.id}>
          <a href={`#/reports/${r.id}`}>{reportName(r)}</a>
          {badge(r) && <span className="badge">{badge(r)}</span>}
          <span className="muted">{reportExplanation(r)}</span>
        </li>
      ))}
    </ul>
  );
}

import { useEffect, useState } from 'react';
import { desk, type Queue, type SlaPolicy, type Ticket, type User } from '../api';
import { useUsers } from '../common/inputs';
import { ErrorBanner } from '../common/ErrorBanner';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { can } from '../rights';
import { navigate } from '../router';
import { worstClock } from './sla';
import { NamedOptions, PriorityOptions, StatusOptions } from './options';
import { SlaBadge } from './SlaBadge';

const PAGE = 100;

/** The list's filters, kept in the URL so that a filtered list can be shared and reloaded. */
const SERVER_FILTERS = ['status', 'priority', 'queue_id', 'owner_id'] as const;

function setFilter(query: URLSearchParams, name: string, value: string) {
  const q = new URLSearchParams(query);
  if (value) q.set(name, value);
  else q.delete(name);
  const s = q.toString();
  navigate(`/tickets${s ? `?${s}` : ''}`);
}

/** Queues and people for the filters and the form; any signed-in user may read both. */
export function useDeskDirectory(): { queues: Queue[]; people: User[]; policies: SlaPolicy[] } {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [policies, setPolicies] = useState<SlaPolicy[]>([]);
  const people = useUsers();
  useEffect(() => {
    let live = true;
    desk.queues
      .list()
      .then((q) => live && setQueues(q))
      .catch(() => {
        /* the filter just offers no queues */
      });
    desk.policies
      .list()
      .then((p) => live && setPolicies(p))
      .catch(() => {
        /* the clocks turn amber at the usual hour */
      });
    return () => {
      live = false;
    };
  }, []);
  return { queues, people, policies };
}

/** #/tickets: the tickets the user may read, the ones due first at the top. */
export function TicketList({ query }: { query: URLSearchParams }) {
  const [rows, setRows] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { queues, people, policies } = useDeskDirectory();
  const sla = query.get('sla') ?? '';
  const key = query.toString();

  useEffect(() => {
    const ctl = new AbortController();
    const q: Record<string, string | number> = { sort: 'resolution_due_at', limit: PAGE };
    for (const f of SERVER_FILTERS) {
      const v = query.get(f);
      if (v) q[f] = v;
    }
    setRows(null);
    setError(null);
    desk
      .list(q, ctl.signal)
      .then((p) => setRows(p.data))
      .catch((e) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // Breached and at risk are states of the clock at this moment, so the page picks them out.
  const now = Date.now();
  const warnOf = (r: Ticket) => policies.find((p) => p.id === r.sla_policy_id)?.warn_before_min;
  // Due first (the server's order), then the tickets without a due time, whichever way the store sorts nulls.
  const shown =
    rows
      ?.filter((r) => !sla || worstClock(r, now, warnOf(r)) === sla)
      .sort((a, b) => Number(a.resolution_due_at === null) - Number(b.resolution_due_at === null)) ?? null;
  const nameOf = (id: number | null) => people.find((p) => p.id === id)?.name ?? '';

  return (
    <section className="page desk-page">
      <header className="page-header">
        <div>
          <h1>{t('desk.title')}</h1>
        </div>
        {can('tickets', 'create') && (
          <a className="btn btn-primary" href="#/tickets/new">
            {t('desk.new')}
          </a>
        )}
      </header>
      <div className="desk-filters card" role="group" aria-label={t('desk.filters')}>
        <label>
          <span>{t('desk.status')}</span>
          <select value={query.get('status') ?? ''} onChange={(e) => setFilter(query, 'status', e.target.value)}>
            <option value="">{t('desk.any')}</option>
            <StatusOptions />
          </select>
        </label>
        <label>
          <span>{t('desk.priority')}</span>
          <select value={query.get('priority') ?? ''} onChange={(e) => setFilter(query, 'priority', e.target.value)}>
            <option value="">{t('desk.any')}</option>
            <PriorityOptions />
          </select>
        </label>
        <label>
          <span>{t('desk.queue')}</span>
          <select value={query.get('queue_id') ?? ''} onChange={(e) => setFilter(query, 'queue_id', e.target.value)}>
            <option value="">{t('desk.any')}</option>
            <NamedOptions items={queues} />
          </select>
        </label>
        <label>
          <span>{t('desk.assignee')}</span>
          <select value={query.get('owner_id') ?? ''} onChange={(e) => setFilter(query, 'owner_id', e.target.value)}>
            <option value="">{t('desk.any')}</option>
            <NamedOptions items={people} />
          </select>
        </label>
        <label>
          <span>{t('desk.sla')}</span>
          <select value={sla} onChange={(e) => setFilter(query, 'sla', e.target.value)}>
            <option value="">{t('desk.any')}</option>
            <option value="breached">{t('desk.sla.breached')}</option>
            <option value="risk">{t('desk.sla.risk')}</option>
          </select>
        </label>
      </div>
      {error !== null && <ErrorBanner error={error} />}
      {shown === null && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {shown !== null && shown.length === 0 && <div className="card empty-state">{t('desk.none')}</div>}
      {shown !== null && shown.length > 0 && (
        <div className="card table-card">
          <table className="data-table desk-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('desk.subject')}</th>
                <th scope="col">{t('desk.client')}</th>
                <th scope="col">{t('desk.status')}</th>
                <th scope="col">{t('desk.priority')}</th>
                <th scope="col">{t('desk.assignee')}</th>
                <th scope="col">{t('desk.queue')}</th>
                <th scope="col">{t('desk.due')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} data-id={r.id}>
                  <td>{r.id}</td>
                  <td>
                    <a href={`#/tickets/${r.id}`}>{r.subject}</a>
                  </td>
                  <td>{r.company_name || r.contact_name || r.email || ''}</td>
                  <td>
                    <span className={`desk-status status-${r.status}`}>{t(`desk.status.${r.status}`)}</span>
                  </td>
                  <td>
                    <span className={`desk-priority priority-${r.priority}`}>{t(`desk.priority.${r.priority}`)}</span>
                  </td>
                  <td>{nameOf(r.owner_id)}</td>
                  <td>{r.queue_name ?? ''}</td>
                  <td>
                    <SlaBadge ticket={r} now={now} warnMin={warnOf(r)} />
                    <span className="desk-due">{formatDateTime(r.resolution_due_at)}</span>
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

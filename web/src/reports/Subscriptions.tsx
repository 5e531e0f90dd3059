import { useEffect, useState } from 'react';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { useOrg } from '../common/useOrg';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';
import { subscriptions, type Subscription } from './deliveryApi';
import { ReportsTabs } from './ReportsTabs';

const WEEKDAYS: Key[] = ['rd.mon', 'rd.tue', 'rd.wed', 'rd.thu', 'rd.fri', 'rd.sat', 'rd.sun'];

/** "Every Monday at 08:00 (Europe/Berlin)" and the like. */
function when(s: Subscription): string {
  const c = s.schedule;
  const text =
    c.kind === 'weekly'
      ? t('rd.everyWeek', { day: t(WEEKDAYS[c.weekday - 1] ?? 'rd.mon'), time: c.time })
      : c.kind === 'monthly'
        ? t('rd.everyMonth', { day: c.day, time: c.time })
        : t('rd.everyCron', { expr: c.expr });
  return `${text} (${s.tz})`;
}

/** #/reports/subscriptions: one's report deliveries by mail; pause, send now, delete. */
export function Subscriptions() {
  useTitle(t('rd.list'));
  const toast = useToast();
  const org = useOrg();
  const [rows, setRows] = useState<Subscription[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    subscriptions
      .list(ctl.signal)
      .then(setRows)
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, [tick]);
  const act = (p: Promise<unknown>, done?: string) =>
    p
      .then(() => {
        if (done) toast(done);
        setTick((x) => x + 1);
      })
      .catch(setError);
  const names = (ids: number[]) => ids.map((id) => org.users.find((u) => u.id === id)?.name ?? `#${id}`).join(', ');
  return (
    <section className="page page-wide">
      <header className="page-header">
        <h1>{t('rw.title')}</h1>
      </header>
      <ReportsTabs current="subscriptions" />
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {rows === null ? (
        error === null && <div className="card placeholder">{t('common.loading')}</div>
      ) : rows.length === 0 ? (
        <div className="card empty-state">
          <p>{t('rd.none')}</p>
        </div>
      ) : (
        <table className="table card" aria-label={t('rd.list')}>
          <thead>
            <tr>
              <th>{t('rd.report')}</th>
              <th>{t('rd.when')}</th>
              <th>{t('rd.format')}</th>
              <th>{t('rd.recipients')}</th>
              <th>{t('rd.next')}</th>
              <th>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id} data-subscription={s.id}>
                <td>
                  <a href={`#/reports/${s.report_id}`}>{s.report_name}</a>
                </td>
                <td>{when(s)}</td>
                <td>{s.format.toUpperCase()}</td>
                <td>{names(s.recipients)}</td>
                <td>{s.active && s.next_at ? formatDateTime(s.next_at) : t('rd.paused')}</td>
                <td className="row-actions">
                  <button type="button" className="btn btn-sm" onClick={() => act(subscriptions.sendNow(s.id), t('rd.sent'))}>
                    {t('rd.sendNow')}
                  </button>
                  <button type="button" className="btn btn-sm" onClick={() => act(subscriptions.update(s.id, { active: !s.active }))}>
                    {s.active ? t('rd.pause') : t('rd.resume')}
                  </button>
                  <button type="button" className="btn btn-sm btn-danger" onClick={() => act(subscriptions.remove(s.id))}>
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

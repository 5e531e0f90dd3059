import './activities.css';
import { useState } from 'react';
import { currentUser, type Activity } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { can, scopeOf } from '../rights';
import { ProcessStepsSection } from '../processes/run/ProcessStepsSection';
import { DaySection } from './DaySection';
import { PersonSelect } from './PersonSelect';
import { browserTz } from './time';
import { BUCKETS, useMyDay } from './useMyDay';

/** #/my-day: overdue, today, tomorrow and this week, in the browser's time zone. */
export function MyDayScreen({ query }: { query: URLSearchParams }) {
  useTitle(t('myday.title'));
  const toast = useToast();
  const tz = browserTz();
  const me = currentUser();
  const [userId, setUserId] = useState<number | null>(() => Number(query.get('user_id')) || null);
  const { day, error, reload, complete } = useMyDay(tz, userId);
  // A head reads their team's activities: anyone whose scope reaches beyond their own may look.
  const teamScope = scopeOf('activities', 'read');
  const mayPick = teamScope !== 'own' && teamScope !== 'none';

  async function onComplete(a: Activity) {
    const e = await complete(a);
    if (e) toast(t('myday.completeFailed', { reason: errorText(e) }));
    else {
      toast(t('activity.completed'));
      // A part that lists only its first entries takes in the next one.
      if (day && BUCKETS.some((b) => day[b].more > 0)) void reload();
    }
  }

  return (
    <section className="page my-day">
      <header className="page-header">
        <div>
          <h1>{t('myday.title')}</h1>
          <div className="subtitle">{day ? t('myday.subtitle', { date: day.date, tz: day.tz }) : tz}</div>
        </div>
        <div className="page-actions">
          {mayPick && (
            <label className="inline-field">
              <span>{t('myday.person')}</span>
              <PersonSelect
                id="myday-person"
                value={userId ?? me?.id ?? null}
                onChange={(v) => setUserId(v === me?.id ? null : v)}
              />
            </label>
          )}
          {can('activities', 'create') && (
            <a className="btn btn-primary" href="#/activities/new?kind=task&return=/my-day">
              + {t('activity.new.task')}
            </a>
          )}
        </div>
      </header>
      {error !== null && (
        <ErrorBanner error={error}>
          <button type="button" className="btn btn-sm" onClick={() => void reload()}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      )}
      {!day && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {day && (day.process_steps?.length ?? 0) > 0 && (
        <ProcessStepsSection steps={day.process_steps ?? []} own={day.user_id === me?.id} onChange={() => void reload()} />
      )}
      {day && (
        <div className="day-grid">
          {BUCKETS.map((b) => (
            <DaySection key={b} name={b} bucket={day[b]} userId={day.user_id} canComplete={can('activities', 'update')} onComplete={onComplete} />
          ))}
        </div>
      )}
    </section>
  );
}

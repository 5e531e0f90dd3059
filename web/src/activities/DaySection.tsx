import type { Activity, DayBucket } from '../api';
import { t, type Key } from '../i18n';
import { DayEntry } from './DayEntry';
import type { BucketName } from './useMyDay';

/** The activities list's period (#/activities?due=...) nearest to each part of my day. */
const LIST_PERIOD: Record<BucketName, string> = { overdue: 'overdue', today: 'today', tomorrow: 'tomorrow', this_week: 'week' };

interface Props {
  name: BucketName;
  bucket: DayBucket;
  /** Whose day: the "show all" link lists their activities. */
  userId: number;
  canComplete: boolean;
  onComplete: (a: Activity) => void;
}

/** One part of my day (overdue, today, tomorrow, this week) with its count. */
/**
 * The server lists the first few entries of a part (20) and counts them all; the rest are a link
 * away, in the activities list filtered to the person and the period.
 */
export function DaySection({ name, bucket, userId, canComplete, onComplete }: Props) {
  const id = `day-${name}`;
  return (
    <section className={`card day-section day-${name}`} aria-labelledby={id}>
      <h2 className="card-title" id={id}>
        {t(`myday.${name}` as Key)} <span className="count-pill">{bucket.count}</span>
      </h2>
      {bucket.data.length === 0 ? (
        <p className="muted">{t('myday.nothing')}</p>
      ) : (
        <ul className="day-list">
          {bucket.data.map((a) => (
            <DayEntry key={a.id} a={a} timeOnly={name === 'today' || name === 'tomorrow'} canComplete={canComplete} onComplete={onComplete} />
          ))}
        </ul>
      )}
      {bucket.more > 0 && (
        <p className="muted small day-more">
          {t('myday.more', { n: bucket.more })} ·{' '}
          <a href={`#/activities?due=${LIST_PERIOD[name]}&owner_id=${userId}&status=open`}>{t('myday.showAll')}</a>
        </p>
      )}
    </section>
  );
}

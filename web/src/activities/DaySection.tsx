import type { Activity, DayBucket } from '../api';
import { t, type Key } from '../i18n';
import { DayEntry } from './DayEntry';
import type { BucketName } from './useMyDay';

interface Props {
  name: BucketName;
  bucket: DayBucket;
  canComplete: boolean;
  onComplete: (a: Activity) => void;
}

/** One part of my day (overdue, today, tomorrow, this week) with its count. */
export function DaySection({ name, bucket, canComplete, onComplete }: Props) {
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
      {bucket.more > 0 && <p className="muted small">{t('myday.more', { n: bucket.more })}</p>}
    </section>
  );
}

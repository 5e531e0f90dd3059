import type { Activity } from '../api';
import { t } from '../i18n';
import { activityTitle } from './activityText';

/** The box that marks an open task done, named after the task for screen readers. */
export function CompleteButton({ a, busy, onComplete }: { a: Activity; busy?: boolean; onComplete: (a: Activity) => void }) {
  return (
    <input
      type="checkbox"
      className="complete-box"
      checked={a.status === 'done'}
      disabled={busy || a.status !== 'open'}
      aria-label={t('activity.completeNamed', { name: activityTitle(a) })}
      onChange={() => onComplete(a)}
    />
  );
}

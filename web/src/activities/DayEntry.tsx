import type { Activity } from '../api';
import { t } from '../i18n';
import { ActivityLinks } from './ActivityLinks';
import { activityTitle, activityWhen, whenText } from './activityText';
import { CompleteButton } from './CompleteButton';
import { KindIcon } from './KindIcon';

interface Props {
  a: Activity;
  /** Today's and tomorrow's entries show the time only. */
  timeOnly: boolean;
  /** Whether the viewer may complete the task (not when looking at another's day as a participant). */
  canComplete: boolean;
  onComplete: (a: Activity) => void;
}

/** One entry of my day: complete box (tasks), kind icon, subject, time, and what it is about. */
export function DayEntry({ a, timeOnly, canComplete, onComplete }: Props) {
  const when = activityWhen(a);
  return (
    <li className={a.overdue ? 'day-entry overdue' : 'day-entry'} data-activity={a.id}>
      <span className="day-check">{a.kind === 'task' && canComplete && <CompleteButton a={a} onComplete={onComplete} />}</span>
      <KindIcon name={a.kind} />
      <span className="day-main">
        <a href={`#/activities/${a.id}`} className="day-subject">
          {activityTitle(a)}
        </a>
        {a.priority === 'high' || a.priority === 'urgent' ? (
          <span className={`priority-pill priority-${a.priority}`}>{t(`activity.priority.${a.priority}`)}</span>
        ) : null}
        <ActivityLinks a={a} />
      </span>
      {when && (
        <time className="day-when" dateTime={when}>
          {whenText(when, timeOnly)}
        </time>
      )}
    </li>
  );
}

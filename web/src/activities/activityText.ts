// How an activity reads in lists: its title and its time.
import type { Activity } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { kindLabel } from './kinds';

/** The subject, else the start of a note's body, else the kind's name. */
export function activityTitle(a: Activity): string {
  if (a.subject) return a.subject;
  if (a.body) return a.body.length > 80 ? `${a.body.slice(0, 79)}…` : a.body;
  return t(kindLabel(a.kind));
}

/** The time that matters: a task's deadline, a meeting's or call's start, else when it was logged. */
export function activityWhen(a: Activity): string | null {
  return a.kind === 'task' ? a.due_at : a.start_at ?? a.due_at ?? a.created_at;
}

/** "10:30" for today's entries, the date and time otherwise. */
export function whenText(iso: string | null, timeOnly: boolean): string {
  if (!iso) return '';
  if (!timeOnly) return formatDateTime(iso);
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

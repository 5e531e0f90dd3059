import type { ReactNode } from 'react';
import type { Activity } from '../api';
import { useUsers } from '../common/inputs';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';
import { ActivityLinks } from './ActivityLinks';
import { hasField, statusLabel } from './kinds';
import { recurrenceText, reminderLabel } from './Schedule';

/** The fields of an activity's kind, as read. */
export function ActivityDetails({ a }: { a: Activity }) {
  const users = useUsers();
  const who = (id: number | null) => {
    if (!id) return null;
    const u = users.find((x) => x.id === id);
    return u ? u.name || u.email : t('common.userN', { id });
  };
  const rows: [Key, ReactNode][] = [
    ['field.status', t(statusLabel(a.status))],
    [a.kind === 'task' ? 'field.assignee' : 'field.owner', who(a.owner_id)],
  ];
  if (hasField(a.kind, 'priority')) rows.push(['field.priority', a.priority ? t(`activity.priority.${a.priority}` as Key) : null]);
  if (hasField(a.kind, 'due_at')) rows.push(['field.due_at', a.due_at ? <span className={a.overdue ? 'overdue-text' : undefined}>{formatDateTime(a.due_at)}{a.overdue ? ` · ${t('activity.overdue')}` : ''}</span> : null]);
  if (hasField(a.kind, 'start_at')) rows.push([a.kind === 'task' ? 'field.plannedStart' : 'field.start_at', formatDateTime(a.start_at)]);
  if (hasField(a.kind, 'end_at')) rows.push(['field.end_at', formatDateTime(a.end_at)]);
  if (hasField(a.kind, 'place')) rows.push(['field.place', a.place]);
  if (hasField(a.kind, 'direction')) rows.push(['field.direction', a.direction ? t(`activity.direction.${a.direction}`) : null]);
  if (hasField(a.kind, 'phone')) rows.push(['field.phone', a.phone]);
  if (hasField(a.kind, 'duration_s')) rows.push(['field.duration_s', a.duration_s === null ? null : String(a.duration_s)]);
  if (hasField(a.kind, 'result')) rows.push(['field.result', a.result]);
  if (hasField(a.kind, 'email_from')) rows.push(['field.email_from', a.email_from]);
  if (hasField(a.kind, 'email_to')) rows.push(['field.email_to', a.email_to.join(', ')]);
  if (hasField(a.kind, 'estimate_min')) rows.push(['field.estimate_min', a.estimate_min === null ? null : String(a.estimate_min)]);
  if (hasField(a.kind, 'spent_min')) rows.push(['field.spent_min', a.spent_min === null ? null : String(a.spent_min)]);
  if (hasField(a.kind, 'participants')) rows.push(['field.participants', a.participants.map(who).join(', ')]);
  if (hasField(a.kind, 'reminders') && a.reminders?.length) rows.push(['act.reminders', a.reminders.map(reminderLabel).join(', ')]);
  if (hasField(a.kind, 'recurrence') && a.recurrence) rows.push(['act.recurrence', recurrenceText(a.recurrence)]);
  // The first task of a series carries its own id: the link leads to the first from the others.
  if (a.series_id && a.series_id !== a.id)
    rows.push([
      'act.series',
      <a href={`#/activities/${a.series_id}`} className="series-link">
        {t('act.series.first')}
      </a>,
    ]);
  // A task a process made names its step: "Step X of Y — open instance".
  if (a.process_instance_id)
    rows.push([
      'act.process',
      <span className="process-link">
        {t('act.processStep', { step: a.process_step_name ?? '', process: a.process_name ?? '' })}
        {' — '}
        <a href={`#/processes/${a.process_instance_id}`}>{t('act.openInstance')}</a>
      </span>,
    ]);
  if (a.company_name || a.contact_name || a.deal_name) rows.push(['activity.about', <ActivityLinks a={a} />]);
  if (a.done_at) rows.push(['field.done_at', formatDateTime(a.done_at)]);
  return (
    <dl className="details">
      {rows.map(([label, v]) => (
        <div className="detail" key={label}>
          <dt>{t(label)}</dt>
          <dd>{v || v === 0 ? v : <span className="muted">{t('record.none')}</span>}</dd>
        </div>
      ))}
      {a.body && (
        <div className="detail wide">
          <dt>{t(a.kind === 'note' ? 'field.note' : 'field.description')}</dt>
          <dd className="prewrap">{a.body}</dd>
        </div>
      )}
      {a.checklist && a.checklist.length > 0 && (
        <div className="detail wide">
          <dt>{t('field.checklist')}</dt>
          <dd>
            <ul className="checklist-view">
              {a.checklist.map((x, i) => (
                <li key={i} className={x.done ? 'done' : undefined}>
                  <span aria-hidden="true">{x.done ? '☑' : '☐'}</span> {x.text}
                  {x.done && <span className="sr-only"> ({t('activity.status.done')})</span>}
                </li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </dl>
  );
}

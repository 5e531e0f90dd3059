import { useEffect, useId, useState } from 'react';
import { activities, ApiError, type Activity, type Ticket, type TicketLink } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import type { CompanyRef } from '../common/inputs';
import { RecordPicker } from '../common/RecordPicker';
import { formatDateTime } from '../format';
import { t } from '../i18n';

/**
 * The tasks a ticket is linked with: each named and opened, unlinked with its own button; an
 * existing task found by typing (a combobox), or a new one made already linked. The links are the
 * ticket's "links" (written with PATCH, checked by the server: a task one may read).
 */
export function TicketTasks({ ticket, editable, busy, onChange }: { ticket: Ticket; editable: boolean; busy: boolean; onChange: (links: TicketLink[]) => Promise<void> }) {
  const links = ticket.links ?? [];
  const taskIds = links.filter((l) => l.entity === 'activities').map((l) => l.id);
  const [tasks, setTasks] = useState<Record<number, Activity | null>>({});
  const [pick, setPick] = useState<CompanyRef>({ id: '', label: '' });
  const [subject, setSubject] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [subjectError, setSubjectError] = useState('');
  const [making, setMaking] = useState(false);
  const formId = useId();
  const key = taskIds.join(',');

  // The linked tasks' subjects; one hidden from the user shows as its number.
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(',').map(Number) : [];
    void Promise.all(ids.map((id) => activities.get(id).then((r) => r.data).catch(() => null))).then((rows) => {
      if (live) setTasks(Object.fromEntries(ids.map((id, i) => [id, rows[i]])));
    });
    return () => {
      live = false;
    };
  }, [key]);

  if (!editable && taskIds.length === 0) return null;

  const link = (id: number) => {
    if (id > 0 && !taskIds.includes(id)) void onChange([...links, { entity: 'activities', id }]);
  };

  const create = async () => {
    setError(null);
    setSubjectError('');
    if (!subject.trim()) {
      setSubjectError(t('desk.tasks.subjectRequired'));
      return;
    }
    setMaking(true);
    try {
      const body: Record<string, unknown> = { kind: 'task', subject: subject.trim() };
      if (due) body.due_at = new Date(`${due}T17:00:00`).toISOString();
      if (ticket.company_id !== null) body.company_id = ticket.company_id;
      if (ticket.contact_id !== null) body.contact_id = ticket.contact_id;
      const r = await activities.create(body);
      setSubject('');
      setDue('');
      await onChange([...links, { entity: 'activities', id: r.data.id }]);
    } catch (e) {
      const msg = e instanceof ApiError ? e.errors.find((x) => x.field === 'subject')?.message : undefined;
      if (msg) setSubjectError(msg);
      else setError(e);
    } finally {
      setMaking(false);
    }
  };

  return (
    <div className="card ticket-tasks-card">
      <h2 id={`${formId}-title`}>{t('desk.tasks.title')}</h2>
      {taskIds.length === 0 && <p className="muted">{t('desk.tasks.none')}</p>}
      {taskIds.length > 0 && (
        <ul className="ticket-task-list" aria-labelledby={`${formId}-title`}>
          {taskIds.map((id) => {
            const a = tasks[id];
            const name = a?.subject || t('desk.link.task', { id });
            return (
              <li key={id} data-task={id}>
                <a href={`#/activities/${id}`}>{name}</a>
                {a && (
                  <span className="muted ticket-task-state">
                    {a.status === 'done' ? t('desk.tasks.done') : a.due_at ? formatDateTime(a.due_at) : ''}
                  </span>
                )}
                {editable && (
                  <button
                    type="button"
                    className="icon-btn"
                    disabled={busy}
                    aria-label={t('desk.tasks.unlink', { name })}
                    onClick={() => void onChange(links.filter((x) => !(x.entity === 'activities' && x.id === id)))}
                  >
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {editable && (
        <>
          <div className="ticket-task-add">
            <label htmlFor={`${formId}-find`}>{t('desk.tasks.find')}</label>
            <RecordPicker
              id={`${formId}-find`}
              source="tasks"
              value={pick}
              placeholder={t('desk.tasks.findPlaceholder')}
              clearLabel={t('activity.clearLink', { what: pick.label })}
              search={(q, signal) =>
                activities.list({ q, kind: 'task', limit: 8 }, signal).then((p) =>
                  p.data.map((a) => ({ id: a.id, label: a.subject ?? `#${a.id}`, sub: a.company_name ?? a.contact_name ?? '' })),
                )
              }
              onChange={(v) => {
                setPick({ id: '', label: '' });
                link(Number(v.id));
              }}
            />
          </div>
          <form
            className="ticket-task-new"
            aria-label={t('desk.tasks.new')}
            onSubmit={(e) => {
              e.preventDefault();
              void create();
            }}
          >
            <label htmlFor={`${formId}-subject`}>{t('desk.tasks.newSubject')}</label>
            <input
              id={`${formId}-subject`}
              value={subject}
              maxLength={500}
              aria-invalid={subjectError ? true : undefined}
              aria-describedby={subjectError ? `${formId}-subject-err` : undefined}
              onChange={(e) => setSubject(e.target.value)}
            />
            {subjectError && (
              <span id={`${formId}-subject-err`} className="field-error" role="alert">
                {subjectError}
              </span>
            )}
            <label htmlFor={`${formId}-due`}>{t('desk.tasks.due')}</label>
            <input id={`${formId}-due`} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
            <button type="submit" className="btn btn-sm" disabled={busy || making}>
              {t('desk.tasks.create')}
            </button>
          </form>
        </>
      )}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}

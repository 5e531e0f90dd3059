import { useEffect, useState } from 'react';
import { workload, type WorkloadCheck } from '../api';
import { t } from '../i18n';
import { useUsers } from '../common/inputs';
import { draftBody, type Draft } from './draft';
import '../workload/workload.css';

/**
 * "This would overload Anna on Tuesday": asked of /workload/check once a task has an assignee and a
 * due date. Silent when the server will not say (someone whose workload the user may not see).
 */
export function OverloadWarning({ draft, activityId }: { draft: Draft; activityId: number | null }) {
  const [check, setCheck] = useState<WorkloadCheck | null>(null);
  const people = useUsers();
  const body = draft.kind === 'task' ? draftBody(draft, null) : {};
  const due = typeof body.due_at === 'string' ? body.due_at : '';
  const owner = Number(draft.owner_id) || 0;
  const est = /^\d+$/.test(draft.estimate_min.trim()) ? Number(draft.estimate_min.trim()) : undefined;

  useEffect(() => {
    setCheck(null);
    if (!owner || !due) return;
    const ctl = new AbortController();
    // Typing a date or an estimate asks once it settles, not at every key.
    const timer = window.setTimeout(() => {
      workload
        .check({ user_id: owner, due_at: due, estimate_min: est, activity_id: activityId ?? undefined }, ctl.signal)
        .then((c) => !ctl.signal.aborted && setCheck(c), () => {});
    }, 300);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [owner, due, est, activityId]);

  if (!check || !check.overloaded) return null;
  const who = people.find((u) => u.id === owner);
  const day = new Date(`${check.day}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'short', timeZone: 'UTC' });
  return (
    <p className="workload-warning" role="status" data-testid="overload-warning">
      {t('workload.wouldOverload', {
        name: who?.name || who?.email || `#${owner}`,
        day,
        after: check.load_after === null ? '—' : `${check.load_after}%`,
      })}{' '}
      <a href={`#/workload?from=${check.day}`}>{t('workload.open')}</a>
    </p>
  );
}

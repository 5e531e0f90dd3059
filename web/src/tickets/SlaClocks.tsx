import { useEffect, useState } from 'react';
import { desk, workCalendars, type Ticket } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { clockState, formatMinutes, type ClockState } from './sla';

/** The calendar the ticket's SLA counts in (its policy's, else the default one) and the policy's warning. */
function useSlaCalendar(policyId: number | null): { calendar: number | null; warnMin?: number } {
  const [found, setFound] = useState<{ calendar: number | null; warnMin?: number }>({ calendar: null });
  useEffect(() => {
    if (policyId === null) return undefined;
    let live = true;
    Promise.all([desk.policies.list(), workCalendars.list()])
      .then(([ps, cs]) => {
        const policy = ps.find((p) => p.id === policyId);
        const own = policy?.calendar_id ?? null;
        if (live) setFound({ calendar: own ?? cs.find((c) => c.is_default)?.id ?? null, warnMin: policy?.warn_before_min });
      })
      .catch(() => {
        /* the clock then shows the due time without the working time left */
      });
    return () => {
      live = false;
    };
  }, [policyId]);
  return found;
}

/** One target: its due time and, while it runs, the working time left (asked of the server's calendar). */
function Clock({ ticket, target, calendar, warnMin }: { ticket: Ticket; target: 'response' | 'resolution'; calendar: number | null; warnMin?: number }) {
  const due = target === 'response' ? ticket.response_due_at : ticket.resolution_due_at;
  const [now, setNow] = useState(() => Date.now());
  const [left, setLeft] = useState<number | null>(null);
  const state: ClockState = clockState(ticket, target, now, warnMin);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 60000);
    return () => window.clearInterval(timer);
  }, []);

  useEffect(() => {
    setLeft(null);
    if (calendar === null || !due || (state !== 'ok' && state !== 'risk')) return undefined;
    let live = true;
    workCalendars
      .between(calendar, new Date(now).toISOString(), due)
      .then((m) => live && setLeft(m))
      .catch(() => {
        /* shown without the time left */
      });
    return () => {
      live = false;
    };
  }, [calendar, due, now, state]);

  let text: string;
  if (state === 'breached') text = t('desk.clock.breached');
  else if (state === 'paused') text = t('desk.clock.paused');
  else if (state === 'done') text = t('desk.clock.met');
  else if (left !== null) text = t('desk.clock.left', { time: formatMinutes(left) });
  else text = '';
  return (
    <div className={`sla-clock sla-${state}`} data-target={target} data-state={state}>
      <span className="sla-clock-name">{t(target === 'response' ? 'desk.clock.response' : 'desk.clock.resolution')}</span>
      <strong className="sla-clock-left">{text}</strong>
      {due && <span className="sla-clock-due">{t('desk.clock.due', { when: formatDateTime(due) })}</span>}
    </div>
  );
}

/** The SLA clocks of a ticket: time left in working hours, amber when close, red when breached. */
export function SlaClocks({ ticket }: { ticket: Ticket }) {
  const { calendar, warnMin } = useSlaCalendar(ticket.sla_policy_id);
  if (ticket.sla_policy_id === null) return <p className="muted sla-none">{t('desk.clock.noPolicy')}</p>;
  return (
    <div className="sla-clocks" aria-label={t('desk.sla')}>
      <Clock ticket={ticket} target="response" calendar={calendar} warnMin={warnMin} />
      <Clock ticket={ticket} target="resolution" calendar={calendar} warnMin={warnMin} />
    </div>
  );
}

import type { Ticket } from '../api';
import { t as tr } from '../i18n';

/** Minutes before a due time when the clock turns amber, when the policy's own warning is not known. */
export const AT_RISK_MIN = 60;

export type ClockState = 'ok' | 'risk' | 'breached' | 'paused' | 'done' | 'none';

const truthy = (v: number | boolean | null | undefined) => v === true || (typeof v === 'number' && v !== 0);

/** The state of one SLA target of a ticket at `now` (ms); amber from warnMin minutes before the due time (the policy's warn_before_min). */
export function clockState(t: Ticket, target: 'response' | 'resolution', now: number, warnMin = AT_RISK_MIN): ClockState {
  if (t.sla_policy_id === null) return 'none';
  const breached = truthy(target === 'response' ? t.response_breached : t.resolution_breached);
  const due = target === 'response' ? t.response_due_at : t.resolution_due_at;
  const met = target === 'response' ? t.first_response_at : t.resolved_at;
  if (breached) return 'breached';
  if (met) return met && due && Date.parse(met) > Date.parse(due) ? 'breached' : 'done';
  if (t.sla_paused_at) return 'paused';
  if (!due) return 'none';
  const left = Date.parse(due) - now;
  if (left <= 0) return 'breached';
  return left <= warnMin * 60000 ? 'risk' : 'ok';
}

/** The worst state of a ticket's two targets (for the list's SLA column and filter). */
export function worstClock(t: Ticket, now: number, warnMin = AT_RISK_MIN): ClockState {
  const order: ClockState[] = ['breached', 'risk', 'ok', 'paused', 'done', 'none'];
  const a = clockState(t, 'response', now, warnMin);
  const b = clockState(t, 'resolution', now, warnMin);
  return order.indexOf(a) <= order.indexOf(b) ? a : b;
}

/** "2 h 05 min" (in the user's language) from a count of minutes. */
export function formatMinutes(min: number): string {
  const m = Math.max(0, Math.round(min));
  const h = Math.floor(m / 60);
  const r = m % 60;
  return h > 0 ? tr('desk.hoursMinutes', { h, m: String(r).padStart(2, '0') }) : tr('desk.minutes', { m: r });
}

import type { Ticket } from '../api';
import { t } from '../i18n';
import { worstClock } from './sla';

/** A small flag in the list: breached (red) or at risk (amber); nothing while the clock is fine. */
export function SlaBadge({ ticket, now, warnMin }: { ticket: Ticket; now: number; warnMin?: number }) {
  const s = worstClock(ticket, now, warnMin);
  if (s !== 'breached' && s !== 'risk') return null;
  return <span className={`sla-badge sla-${s}`}>{t(s === 'breached' ? 'desk.sla.breached' : 'desk.sla.risk')}</span>;
}

import type { Ticket } from '../api';
import { t } from '../i18n';
import { worstClock } from './sla';

/** A small flag in the list: breached (red) or at risk (amber); nothing while the clock is fine. */
export function SlaBadge({ ticket, now }: { ticket: Ticket; now: number }) {
  const s = worstClock(ticket, now);
  if (s !== 'breached' && s !== 'risk') return null;
  return <span className={`sla-badge sla-${s}`}>{t(s === 'breached' ? 'desk.sla.breached' : 'desk.sla.risk')}</span>;
}

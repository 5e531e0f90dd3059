import type { Deal } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';

/** The "stuck" flag: an open deal longer in its stage than the stage's time limit. */
export function StuckFlag({ deal }: { deal: Pick<Deal, 'stuck' | 'stage_due_at'> }) {
  if (!deal.stuck) return null;
  const title = deal.stage_due_at ? `${t('deals.dueAt')}: ${formatDateTime(deal.stage_due_at)}` : t('deals.stuck');
  return (
    <span className="stuck-flag" title={title} data-stuck="true">
      <svg viewBox="0 0 16 16" aria-hidden="true" className="inline-icon">
        <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      {t('deals.stuck')}
    </span>
  );
}

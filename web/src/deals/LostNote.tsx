import type { Deal } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { useLostReasons } from './useLostReasons';

/** Why a lost deal was lost, and when it closed. */
export function LostNote({ deal }: { deal: Deal }) {
  const reasons = useLostReasons();
  if (deal.status !== 'lost') return null;
  const reason = reasons?.find((r) => r.id === deal.lost_reason_id)?.name ?? (deal.lost_reason_id ? `#${deal.lost_reason_id}` : '');
  return (
    <div className="banner banner-info lost-note" data-reason={deal.lost_reason_id ?? ''}>
      <div className="banner-body">
        <strong>
          {t('deals.lostReasonCol')}: {reason}
        </strong>
        {deal.lost_comment && <div className="prewrap">{deal.lost_comment}</div>}
        {deal.closed_at && (
          <div className="muted small">
            {t('deals.closedAt')}: {formatDateTime(deal.closed_at)}
          </div>
        )}
      </div>
    </div>
  );
}

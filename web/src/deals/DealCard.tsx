import type { Deal, Stage } from '../api';
import { formatDate } from '../format';
import { isHidden } from '../rights';
import { t } from '../i18n';
import { dealAmount } from './config';
import { OwnerName } from './OwnerName';
import { StuckFlag } from './StuckFlag';

export const DEAL_DRAG_TYPE = 'application/x-crm-deal';

interface Props {
  deal: Deal;
  stages: Stage[];
  moving: boolean;
  mayMove: boolean;
  onMove: (stage: Stage) => void;
}

/** A deal on the board: the essentials, draggable, with a "Move to…" select for the keyboard. */
export function DealCard({ deal, stages, moving, mayMove, onMove }: Props) {
  const amount = dealAmount(deal);
  return (
    <li
      className={['deal-card', deal.stuck ? 'stuck' : '', moving ? 'moving' : ''].filter(Boolean).join(' ')}
      data-id={deal.id}
      draggable={mayMove && !moving}
      aria-busy={moving || undefined}
      onDragStart={(e) => {
        e.dataTransfer.setData(DEAL_DRAG_TYPE, String(deal.id));
        e.dataTransfer.setData('text/plain', deal.title);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <div className="deal-card-head">
        <a className="deal-card-title" href={`#/deals/${deal.id}`} draggable={false}>
          {deal.title}
        </a>
        <StuckFlag deal={deal} />
      </div>
      {deal.company_name && <div className="deal-card-company">{deal.company_name}</div>}
      <div className="deal-card-meta">
        {!isHidden('deals', 'amount') && (
          <span className="deal-card-amount">{amount || <span className="muted">{t('deals.noAmount')}</span>}</span>
        )}
        {deal.expected_close && (
          <span className="muted" title={t('field.expected_close')}>
            {formatDate(deal.expected_close)}
          </span>
        )}
      </div>
      <div className="deal-card-foot">
        <span className="muted small">
          <OwnerName id={deal.owner_id} />
        </span>
        {moving ? (
          <span className="deal-card-progress" role="status">
            <span className="spinner" aria-hidden="true" />
            {t('deals.moving')}
          </span>
        ) : (
          mayMove && (
            <select
              className="input input-sm move-select"
              aria-label={t('deals.moveLabel', { title: deal.title })}
              value=""
              onChange={(e) => {
                const s = stages.find((x) => String(x.id) === e.target.value);
                if (s) onMove(s);
              }}
            >
              <option value="">{t('deals.moveTo')}</option>
              {stages
                .filter((s) => s.id !== deal.stage_id)
                .map((s) => (
                  <option key={s.id} value={String(s.id)}>
                    {s.name}
                  </option>
                ))}
            </select>
          )
        )}
      </div>
    </li>
  );
}

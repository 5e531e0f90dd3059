import { useState } from 'react';
import type { BoardColumn as Column, Deal, Stage } from '../api';
import { formatMoney, formatNumber } from '../format';
import { t } from '../i18n';
import { DEAL_DRAG_TYPE, DealCard } from './DealCard';

interface Props {
  column: Column;
  cards: Deal[];
  stages: Stage[];
  baseCurrency: string;
  movingId: number | null;
  mayMove: boolean;
  moreHref: string;
  onDropDeal: (dealId: number, stage: Stage) => void;
}

/** One stage of the board: its header (count, total, stuck), the cards, and a drop target. */
export function BoardColumn({ column, cards, stages, baseCurrency, movingId, mayMove, moreHref, onDropDeal }: Props) {
  const { stage } = column;
  const [over, setOver] = useState(false);
  const headId = `stage-${stage.id}-title`;
  return (
    <section
      className={['board-column', `kind-${stage.kind}`, over ? 'drop-over' : ''].filter(Boolean).join(' ')}
      aria-labelledby={headId}
      data-stage={stage.id}
      onDragOver={(e) => {
        if (!mayMove || !e.dataTransfer.types.includes(DEAL_DRAG_TYPE)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (!over) setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setOver(false);
      }}
      onDrop={(e) => {
        setOver(false);
        const id = Number(e.dataTransfer.getData(DEAL_DRAG_TYPE));
        if (!id) return;
        e.preventDefault();
        onDropDeal(id, stage);
      }}
    >
      <header className="board-column-head">
        <h2 id={headId} className="board-column-title">
          {stage.name}
        </h2>
        <div className="board-column-stats">
          <span className="board-count" data-count={column.count} title={t('deals.count', { n: column.count })}>
            {formatNumber(column.count)}
          </span>
          <span className="board-total" data-amount={column.amount_base ?? ''}>
            {column.amount_base === null ? t('deals.amountHidden') : formatMoney({ amount: column.amount_base, currency: baseCurrency })}
          </span>
          {column.unconverted > 0 && (
            <span className="muted small" title={t('deals.unconverted', { n: column.unconverted })}>
              +{column.unconverted}
              <span className="sr-only">{t('deals.unconverted', { n: column.unconverted })}</span>
            </span>
          )}
          {column.stuck > 0 && <span className="stuck-count">{t('deals.stuckCount', { n: column.stuck })}</span>}
        </div>
      </header>
      <ul className="board-cards" aria-label={stage.name}>
        {cards.map((d) => (
          <DealCard
            key={d.id}
            deal={d}
            stages={stages}
            moving={movingId === d.id}
            mayMove={mayMove}
            onMove={(s) => onDropDeal(d.id, s)}
          />
        ))}
        {cards.length === 0 && <li className="board-empty muted">{over ? t('deals.dropHere', { stage: stage.name }) : t('deals.columnEmpty')}</li>}
      </ul>
      {column.more && (
        <a className="btn btn-link btn-sm board-more" href={moreHref}>
          {t('deals.more', { n: column.count })}
        </a>
      )}
    </section>
  );
}

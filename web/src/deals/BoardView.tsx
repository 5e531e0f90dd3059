import { useEffect, useRef, useState } from 'react';
import { sales, type Board, type Deal, type Stage } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { can } from '../rights';
import { BoardColumn } from './BoardColumn';
import { dealsHref, type Filters } from './filters';
import { moveProblem } from './moveProblem';
import { useStageMove, type MoveRequest } from './useStageMove';

interface Props {
  /** The filters with the pipeline resolved. */
  filters: Filters;
}

const KIND_ORDER = { open: 0, won: 1, lost: 2 } as const;

/**
 * The Kanban board of one pipeline. A card dropped on another column (or moved with its
 * "Move to…" select) shows there at once with a progress mark; the server's answer then
 * either reloads the board (totals included) or puts the card back and says why.
 */
export function BoardView({ filters }: Props) {
  const toast = useToast();
  const [board, setBoard] = useState<Board | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [pending, setPending] = useState<{ dealId: number; stageId: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(filters);
  const mayMove = can('deals', 'update');
  // The card just moved: it gets the focus back in its new column when the focus was on it.
  const refocus = useRef<number | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    sales
      .board({ ...filters, limit: 20 }, ctl.signal)
      .then((b) => {
        setBoard(b);
        setLoadError(null);
        setPending(null);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setLoadError(e);
        setPending(null);
      });
    return () => ctl.abort();
  }, [key, tick]);

  useEffect(() => {
    const id = refocus.current;
    if (id === null || pending) return;
    const active = document.activeElement;
    if (active && active !== document.body && !active.closest(`.deal-card[data-id="${id}"]`)) return;
    refocus.current = null;
    const el = document.querySelector<HTMLElement>(`.deal-card[data-id="${id}"] select, .deal-card[data-id="${id}"] a`);
    el?.focus();
  }, [board, pending]);

  const mover = useStageMove({
    onDone: (d: Deal, req: MoveRequest) => {
      toast(t('deals.moved', { title: d.title, stage: req.stage.name }));
      setTick((x) => x + 1); // the pending card stays in place until the board is back
    },
    onFail: (req, e) => {
      setPending(null);
      setProblem(t('deals.moveFailed', { title: req.deal.title, stage: req.stage.name, reason: moveProblem(e) }));
    },
    onCancel: () => setPending(null),
  });

  if (loadError) {
    return (
      <ErrorBanner error={loadError}>
        <button type="button" className="btn btn-sm" onClick={() => setTick((x) => x + 1)}>
          {t('common.retry')}
        </button>
      </ErrorBanner>
    );
  }
  if (!board) return <div className="card placeholder">{t('common.loading')}</div>;

  const columns = [...board.columns].sort(
    (a, b) => KIND_ORDER[a.stage.kind] - KIND_ORDER[b.stage.kind] || a.stage.position - b.stage.position,
  );
  const stages = columns.map((c) => c.stage);
  const allCards = columns.flatMap((c) => c.cards);

  function move(dealId: number, stage: Stage) {
    const deal = allCards.find((d) => d.id === dealId);
    if (!deal || deal.stage_id === stage.id || pending) return;
    setProblem(null);
    const active = document.activeElement;
    refocus.current = active?.closest(`.deal-card[data-id="${dealId}"]`) ? dealId : null;
    setPending({ dealId, stageId: stage.id });
    mover.start({ deal, stage });
  }

  return (
    <>
      {problem && <ErrorBanner message={problem} onDismiss={() => setProblem(null)} />}
      {mayMove && <p className="muted small board-hint">{t('deals.boardHint')}</p>}
      <div className="board" data-pipeline={board.pipeline.id}>
        {columns.map((col) => {
          let cards = col.cards;
          if (pending) {
            cards = cards.filter((d) => d.id !== pending.dealId);
            const moving = allCards.find((d) => d.id === pending.dealId);
            if (moving && pending.stageId === col.stage.id) cards = [moving, ...cards];
          }
          return (
            <BoardColumn
              key={col.stage.id}
              column={col}
              cards={cards}
              stages={stages}
              baseCurrency={board.base_currency}
              movingId={pending?.dealId ?? null}
              mayMove={mayMove}
              moreHref={dealsHref('list', { ...filters, stage_id: String(col.stage.id) })}
              onDropDeal={move}
            />
          );
        })}
      </div>
      {mover.dialog}
    </>
  );
}

import { useState, type ReactNode } from 'react';
import { sales, type Deal, type MoveInput, type Stage } from '../api';
import { LostReasonDialog } from './LostReasonDialog';

export interface MoveRequest {
  deal: Pick<Deal, 'id' | 'title'>;
  stage: Stage;
  /** The deal's ETag when the caller has it: a move over someone else's change is refused. */
  etag?: string | null;
}

interface Handlers {
  onDone: (deal: Deal, req: MoveRequest) => void;
  onFail: (req: MoveRequest, e: unknown) => void;
  /** The person closed the lost-reason dialog: nothing moved. */
  onCancel?: (req: MoveRequest) => void;
}

/**
 * Moving a deal to a stage, as the board and the deal's page do it: a lost stage first asks the
 * reason (the dialog this returns), any other stage moves at once. The server checks the move.
 */
export function useStageMove({ onDone, onFail, onCancel }: Handlers): { start: (req: MoveRequest) => void; dialog: ReactNode } {
  const [asking, setAsking] = useState<MoveRequest | null>(null);

  async function run(req: MoveRequest, extra: Omit<MoveInput, 'stage_id'> = {}) {
    const r = await sales.move(req.deal.id, { stage_id: req.stage.id, ...extra }, req.etag);
    onDone(r.data, req);
  }

  function start(req: MoveRequest) {
    if (req.stage.kind === 'lost') setAsking(req);
    else run(req).catch((e) => onFail(req, e));
  }

  const dialog = asking ? (
    <LostReasonDialog
      dealTitle={asking.deal.title}
      onConfirm={async (reasonId, comment) => {
        await run(asking, { lost_reason_id: reasonId, ...(comment ? { lost_comment: comment } : {}) });
        setAsking(null);
      }}
      onCancel={() => {
        setAsking(null);
        onCancel?.(asking);
      }}
    />
  ) : null;
  return { start, dialog };
}

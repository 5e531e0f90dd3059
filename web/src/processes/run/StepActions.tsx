import { useState } from 'react';
import { processRuns, type ProcessInstance } from '../../api';
import { errorText } from '../../common/ErrorBanner';
import { useToast } from '../../common/Toast';
import { t } from '../../i18n';

interface Props {
  /** The waiting step's row id and kind. */
  stepId: number;
  kind: string;
  /** Called with the instance as the server answers it after the step was done. */
  onDone: (inst: ProcessInstance) => void;
}

/**
 * What the holder of a waiting step does with it: complete a task, or approve or reject an
 * approval with a comment. Shown only to the holder; the server checks again.
 */
export function StepActions({ stepId, kind, onDone }: Props) {
  const toast = useToast();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);

  async function act(outcome: 'approve' | 'reject' | null) {
    setBusy(true);
    try {
      const inst = await processRuns.complete(stepId, outcome, comment.trim());
      setComment('');
      toast(t(outcome === 'reject' ? 'prun.rejected' : outcome === 'approve' ? 'prun.approved' : 'prun.completed'));
      onDone(inst);
    } catch (e) {
      toast(t('prun.actionFailed', { reason: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="prun-actions">
      <input
        type="text"
        className="input"
        aria-label={t('prun.comment')}
        placeholder={t('prun.comment')}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      {kind === 'approval' ? (
        <>
          <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void act('approve')}>
            {t('prun.approve')}
          </button>
          <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void act('reject')}>
            {t('prun.reject')}
          </button>
        </>
      ) : (
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void act(null)}>
          {t('prun.complete')}
        </button>
      )}
    </div>
  );
}

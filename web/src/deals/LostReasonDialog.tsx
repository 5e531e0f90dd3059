import { useEffect, useId, useRef, useState } from 'react';
import { t } from '../i18n';
import { moveProblem } from './moveProblem';
import { useLostReasons } from './useLostReasons';

interface Props {
  dealTitle: string;
  /** Moves the deal; a rejection is shown in the dialog, which stays open. */
  onConfirm: (reasonId: number, comment: string) => Promise<void>;
  onCancel: () => void;
}

/** Asks why a deal was lost (an active reason, and an optional comment) before moving it to a lost stage. */
export function LostReasonDialog({ dealTitle, onConfirm, onCancel }: Props) {
  const all = useLostReasons();
  const reasons = (all ?? []).filter((r) => r.active);
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selectRef = useRef<HTMLSelectElement>(null);
  const id = useId();

  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    return () => prev?.focus?.();
  }, []);
  useEffect(() => {
    if (all !== null) selectRef.current?.focus();
  }, [all !== null]);

  async function confirm() {
    if (!reason) {
      setProblem(t('deals.lostNeedReason'));
      selectRef.current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await onConfirm(Number(reason), comment.trim());
    } catch (e) {
      setProblem(moveProblem(e));
      setBusy(false);
    }
  }

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        className="modal lost-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            if (!busy) onCancel();
          }
        }}
      >
        <h2 id={`${id}-title`}>{t('deals.lostTitle', { title: dealTitle })}</h2>
        {all !== null && reasons.length === 0 ? (
          <p className="field-error" role="alert">
            {t('deals.lostNoReasons')}
          </p>
        ) : (
          <form
            id={`${id}-form`}
            onSubmit={(e) => {
              e.preventDefault();
              if (!busy) void confirm();
            }}
          >
            <div className="form-field">
              <label className="field-label" htmlFor={`${id}-reason`}>
                {t('deals.lostReason')}
                <span className="req"> *</span>
              </label>
              <select
                id={`${id}-reason`}
                ref={selectRef}
                name="lost_reason_id"
                className="input"
                value={reason}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${id}-problem` : undefined}
                onChange={(e) => setReason(e.target.value)}
              >
                <option value="">{t('deals.lostReasonPick')}</option>
                {reasons.map((r) => (
                  <option key={r.id} value={String(r.id)}>
                    {r.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="form-field">
              <label className="field-label" htmlFor={`${id}-comment`}>
                {t('deals.lostComment')}
              </label>
              <textarea id={`${id}-comment`} name="lost_comment" className="input" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
            </div>
            {problem && (
              <p className="field-error" id={`${id}-problem`} role="alert">
                {problem}
              </p>
            )}
          </form>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
          {reasons.length > 0 && (
            <button type="submit" form={`${id}-form`} className="btn btn-danger" disabled={busy}>
              {busy ? t('deals.moving') : t('deals.lostConfirm')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

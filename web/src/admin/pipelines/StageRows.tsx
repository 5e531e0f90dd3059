import { useEffect, useState } from 'react';
import type { StageKind } from '../../api';
import { t } from '../../i18n';
import { emptyStage, moveRow, type StageDraft } from './stageDraft';

const KINDS: StageKind[] = ['open', 'won', 'lost'];

interface Props {
  stages: StageDraft[];
  /** The server's messages for row i (`stages[i]`). */
  errorsAt: (i: number) => string[];
  onChange: (stages: StageDraft[]) => void;
}

/**
 * The stages of a pipeline as editable rows, in order. Up and down buttons reorder them; the
 * focus follows the moved row, so a keyboard user can press the same button again.
 */
export function StageRows({ stages, errorsAt, onChange }: Props) {
  const [focus, setFocus] = useState<{ key: string; button: 'up' | 'down' } | null>(null);
  useEffect(() => {
    if (!focus) return;
    const row = document.querySelector(`tr[data-stage-key="${focus.key}"]`);
    const wanted = row?.querySelector<HTMLButtonElement>(`button[data-move="${focus.button}"]:not(:disabled)`);
    (wanted ?? row?.querySelector<HTMLButtonElement>('button[data-move]:not(:disabled)'))?.focus();
    setFocus(null);
  }, [focus]);

  const set = (i: number, patch: Partial<StageDraft>) => onChange(stages.map((s, k) => (k === i ? { ...s, ...patch } : s)));
  const label = (s: StageDraft, i: number) => s.name.trim() || t('pipelines.rowLabel', { n: i + 1 });
  const move = (i: number, delta: number) => {
    onChange(moveRow(stages, i, delta));
    setFocus({ key: stages[i].key, button: delta < 0 ? 'up' : 'down' });
  };

  return (
    <div className="table-wrap">
      <table className="data-table stage-rows">
        <caption className="sr-only">{t('pipelines.stages')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('pipelines.probability')}</th>
            <th scope="col">{t('pipelines.timeLimit')}</th>
            <th scope="col">{t('pipelines.kind')}</th>
            <th scope="col" className="col-actions">
              <span className="sr-only">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s, i) => {
            const errs = errorsAt(i);
            const errId = `stage-${s.key}-error`;
            const aria = { 'aria-invalid': errs.length > 0 || undefined, 'aria-describedby': errs.length ? errId : undefined };
            const n = i + 1;
            return (
              <tr key={s.key} data-stage-key={s.key} data-stage-name={s.name} className={errs.length ? 'has-error' : undefined}>
                <td className="num muted">{n}</td>
                <td>
                  <input {...aria} className="input" name={`stages[${i}].name`} aria-label={t('pipelines.stageName', { n })} value={s.name} onChange={(e) => set(i, { name: e.target.value })} />
                  {errs.length > 0 && (
                    <div className="field-error" id={errId} data-field={`stages[${i}]`}>
                      {errs.join('; ')}
                    </div>
                  )}
                </td>
                <td>
                  <input {...aria} className="input input-num" inputMode="numeric" name={`stages[${i}].probability`} aria-label={`${t('pipelines.probability')}: ${label(s, i)}`} value={s.probability} onChange={(e) => set(i, { probability: e.target.value })} />
                </td>
                <td>
                  <input {...aria} className="input input-num" inputMode="numeric" name={`stages[${i}].time_limit_days`} aria-label={`${t('pipelines.timeLimit')}: ${label(s, i)}`} placeholder={t('pipelines.noLimit')} value={s.time_limit_days} onChange={(e) => set(i, { time_limit_days: e.target.value })} />
                </td>
                <td>
                  <select {...aria} className="input" name={`stages[${i}].kind`} aria-label={`${t('pipelines.kind')}: ${label(s, i)}`} value={s.kind} onChange={(e) => set(i, { kind: e.target.value as StageKind })}>
                    {KINDS.map((k) => (
                      <option key={k} value={k}>
                        {t(`pipelines.kind.${k}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="col-actions nowrap">
                  <button type="button" className="btn btn-sm btn-ghost" data-move="up" disabled={i === 0} aria-label={t('pipelines.moveUp', { name: label(s, i) })} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-sm btn-ghost" data-move="down" disabled={i === stages.length - 1} aria-label={t('pipelines.moveDown', { name: label(s, i) })} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-sm btn-danger-ghost" aria-label={t('pipelines.removeStage', { name: label(s, i) })} onClick={() => onChange(stages.filter((_, k) => k !== i))}>
                    ×
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="btn btn-sm" onClick={() => onChange(insertOpen(stages))}>
        + {t('pipelines.addStage')}
      </button>
    </div>
  );
}

/** A new open stage goes after the last open one (before won and lost), where it usually belongs. */
function insertOpen(stages: StageDraft[]): StageDraft[] {
  let at = stages.length;
  while (at > 0 && stages[at - 1].kind !== 'open') at--;
  return [...stages.slice(0, at), emptyStage('open'), ...stages.slice(at)];
}

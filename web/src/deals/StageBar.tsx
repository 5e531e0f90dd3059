import { useState } from 'react';
import type { Deal } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { usePipelines } from '../common/salesInputs';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { can } from '../rights';
import { moveProblem } from './moveProblem';
import { useStageMove } from './useStageMove';

const KIND_ORDER = { open: 0, won: 1, lost: 2 } as const;

/** The deal's pipeline as a row of stages, the current one marked; a click moves the deal there. */
export function StageBar({ deal, reload }: { deal: Deal; reload: () => void }) {
  const toast = useToast();
  const pipelines = usePipelines();
  const [busy, setBusy] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const mover = useStageMove({
    onDone: (d, req) => {
      setBusy(null);
      toast(t('deals.moved', { title: d.title, stage: req.stage.name }));
      reload();
    },
    onFail: (req, e) => {
      setBusy(null);
      setProblem(t('deals.moveFailed', { title: req.deal.title, stage: req.stage.name, reason: moveProblem(e) }));
    },
    onCancel: () => setBusy(null),
  });
  const pipeline = pipelines?.find((p) => p.id === deal.pipeline_id);
  if (!pipeline) return null;
  const stages = [...pipeline.stages].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.position - b.position);
  const currentIndex = stages.findIndex((s) => s.id === deal.stage_id);
  const mayMove = can('deals', 'update');
  return (
    <>
      {problem && <ErrorBanner message={problem} onDismiss={() => setProblem(null)} />}
      <nav className="stage-bar" aria-label={t('deals.stageBar')}>
        <ol>
          {stages.map((s, i) => {
            const current = s.id === deal.stage_id;
            const passed = deal.status === 'open' && s.kind === 'open' && i < currentIndex;
            const cls = ['stage-step', `kind-${s.kind}`, current ? 'current' : '', passed ? 'passed' : ''].filter(Boolean).join(' ');
            return (
              <li key={s.id} className={cls}>
                <button
                  type="button"
                  data-stage={s.id}
                  aria-current={current ? 'step' : undefined}
                  aria-label={current ? `${s.name} (${t('deals.currentStage')})` : t('deals.moveToStage', { stage: s.name })}
                  disabled={current || !mayMove || busy !== null}
                  onClick={() => {
                    setProblem(null);
                    setBusy(s.id);
                    mover.start({ deal, stage: s });
                  }}
                >
                  {busy === s.id ? t('deals.moving') : s.name}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {mover.dialog}
    </>
  );
}

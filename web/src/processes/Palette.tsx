import { t } from '../i18n';
import { kindLabel } from './kinds';
import { STEP_KINDS, type StepKind } from './types';

/** The step kinds: click one to add it below the others, or drag it onto the canvas. */
export function Palette({ onAdd }: { onAdd: (k: StepKind) => void }) {
  return (
    <nav className="card pe-palette" aria-label={t('pe.palette')}>
      <h2 className="card-title">{t('pe.palette')}</h2>
      {STEP_KINDS.map((k) => (
        <button
          key={k}
          type="button"
          className={`btn btn-sm pe-kind-btn kind-${k}`}
          draggable
          onDragStart={(e) => {
            e.dataTransfer.setData('application/x-crm-step', k);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => onAdd(k)}
          aria-label={t('pe.add', { kind: kindLabel(k) })}
        >
          {kindLabel(k)}
        </button>
      ))}
    </nav>
  );
}

import { t } from '../../i18n';

export type Mode = 'counts' | 'rows';

/** Counts per group (aggregates) or a plain list of records (columns): a report is one or the other. */
export function ModePicker({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  return (
    <div className="segmented" role="group" aria-label={t('rw.d.mode')}>
      {(['counts', 'rows'] as const).map((m) => (
        <button key={m} type="button" className={mode === m ? 'btn btn-sm active' : 'btn btn-sm'} aria-pressed={mode === m} onClick={() => onChange(m)}>
          {t(m === 'counts' ? 'rw.d.modeCounts' : 'rw.d.modeRows')}
        </button>
      ))}
    </div>
  );
}

import { t, type Key } from '../i18n';
import type { Params } from './library';
import { PRESETS, presetOf, presetRange, type Preset } from './period';

const PRESET_LABEL: Record<Preset, Key> = { month: 'funnel.thisMonth', quarter: 'funnel.thisQuarter', year: 'funnel.thisYear' };

interface Props {
  takes: Params;
  params: Record<string, string>;
  onChange: (p: Record<string, string>) => void;
}

/**
 * The parameters a ready report's run takes: a period (presets or two dates; none means the
 * last 365 days) or a number of days. A designer report takes none: its filters are its own.
 */
export function RunFilters({ takes, params, onChange }: Props) {
  if (takes === 'none') return null;
  const set = (p: Record<string, string>) => onChange({ ...params, ...p });
  if (takes === 'days')
    return (
      <div className="toolbar" role="search" aria-label={t('rw.filters')}>
        <label className="field-inline">
          <span className="field-inline-label">{t('rw.days')}</span>
          <input className="input input-sm" type="number" min={1} max={3650} name="days" value={params.days ?? ''} placeholder="30" onChange={(e) => set({ days: e.target.value })} />
        </label>
      </div>
    );
  const from = params.from ?? '';
  const to = params.to ?? '';
  const preset = from && to ? presetOf(from, to) : null;
  return (
    <div className="toolbar" role="search" aria-label={t('rw.filters')}>
      <div className="field-inline" role="group" aria-label={t('funnel.period')}>
        <span className="field-inline-label" aria-hidden="true">
          {t('funnel.period')}
        </span>
        <div className="segmented">
          <button type="button" className={!from && !to ? 'btn btn-sm active' : 'btn btn-sm'} aria-pressed={!from && !to} onClick={() => set({ from: '', to: '' })}>
            {t('rw.last365')}
          </button>
          {PRESETS.map((p) => (
            <button key={p} type="button" className={preset === p ? 'btn btn-sm active' : 'btn btn-sm'} aria-pressed={preset === p} onClick={() => set(presetRange(p))}>
              {t(PRESET_LABEL[p])}
            </button>
          ))}
        </div>
      </div>
      <label className="field-inline">
        <span className="field-inline-label">{t('funnel.from')}</span>
        <input className="input input-sm" type="date" name="from" value={from} onChange={(e) => set({ from: e.target.value, to: to || e.target.value })} />
      </label>
      <label className="field-inline">
        <span className="field-inline-label">{t('funnel.to')}</span>
        <input className="input input-sm" type="date" name="to" value={to} onChange={(e) => set({ to: e.target.value, from: from || e.target.value })} />
      </label>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useDebounced } from '../common/hooks';
import { useUsers } from '../common/inputs';
import { usePipelines } from '../common/salesInputs';
import { treeOrder } from '../common/useOrg';
import { useDepartments } from '../deals/useDepartments';
import { t, type Key } from '../i18n';
import { PRESETS, presetOf, presetRange, type Preset } from './period';

const PRESET_LABEL: Record<Preset, Key> = { month: 'funnel.thisMonth', quarter: 'funnel.thisQuarter', year: 'funnel.thisYear' };

interface Props {
  params: Record<string, string>;
  onChange: (p: Record<string, string>) => void;
}

/** Pipeline, period (presets or two dates), owner, department and source of the funnel. */
export function FunnelFilters({ params, onChange }: Props) {
  const pipelines = usePipelines() ?? [];
  const users = useUsers();
  const depts = useDepartments();
  const [source, setSource] = useState(params.source);
  const typed = useDebounced(source.trim(), 300);
  useEffect(() => setSource(params.source), [params.source]);
  useEffect(() => {
    if (typed !== params.source) set({ source: typed });
  }, [typed]);
  const set = (p: Record<string, string>) => onChange({ ...params, ...p });
  const preset = presetOf(params.from, params.to);

  return (
    <div className="toolbar deals-toolbar" role="search" aria-label={t('deals.filters')}>
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.pipeline')}</span>
        <select className="input input-sm" name="pipeline_id" value={params.pipeline_id} onChange={(e) => set({ pipeline_id: e.target.value })}>
          {pipelines.map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <div className="field-inline" role="group" aria-label={t('funnel.period')}>
        <span className="field-inline-label" aria-hidden="true">
          {t('funnel.period')}
        </span>
        <div className="segmented">
          {PRESETS.map((p) => (
            <button key={p} type="button" className={preset === p ? 'btn btn-sm active' : 'btn btn-sm'} aria-pressed={preset === p} onClick={() => set(presetRange(p))}>
              {t(PRESET_LABEL[p])}
            </button>
          ))}
        </div>
      </div>
      <label className="field-inline">
        <span className="field-inline-label">{t('funnel.from')}</span>
        <input className="input input-sm" type="date" name="from" value={params.from} onChange={(e) => e.target.value && set({ from: e.target.value })} />
      </label>
      <label className="field-inline">
        <span className="field-inline-label">{t('funnel.to')}</span>
        <input className="input input-sm" type="date" name="to" value={params.to} onChange={(e) => e.target.value && set({ to: e.target.value })} />
      </label>
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.owner')}</span>
        <select className="input input-sm" name="owner_id" value={params.owner_id} onChange={(e) => set({ owner_id: e.target.value })}>
          <option value="">{t('deals.anyOwner')}</option>
          {users.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name || u.email}
            </option>
          ))}
        </select>
      </label>
      {depts.length > 0 && (
        <label className="field-inline">
          <span className="field-inline-label">{t('deals.department')}</span>
          <select className="input input-sm" name="department_id" value={params.department_id} onChange={(e) => set({ department_id: e.target.value })}>
            <option value="">{t('deals.anyDepartment')}</option>
            {treeOrder(depts).map(({ dept, depth }) => (
              <option key={dept.id} value={String(dept.id)}>
                {'\u00a0\u00a0'.repeat(depth)}
                {dept.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.source')}</span>
        <input className="input input-sm" name="source" value={source} onChange={(e) => setSource(e.target.value)} />
      </label>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useDebounced } from '../common/hooks';
import { useUsers } from '../common/inputs';
import { usePipelines } from '../common/salesInputs';
import { treeOrder } from '../common/useOrg';
import { useDepartments } from '../deals/useDepartments';
import { t, type Key } from '../i18n';
import { PRESETS, presetOf, presetRange, type Preset } from './period';

const PRESET_LABEL: Record<Preset, Key> = { month: 'funnel.thisMonth', quarter: 'funnel.thisQuarter', year: 'funnel.thisYear' };

/** The run parameters the web passes through from the address (docs/reports.md "Filters"). */
export const RUN_PARAMS = ['from', 'to', 'days', 'owner_id', 'department_id', 'pipeline_id', 'source', 'segment'];

interface Props {
  takes: string[];
  params: Record<string, string>;
  onChange: (p: Record<string, string>) => void;
}

/**
 * The parameters a ready report's run takes, as the server lists them: a period (presets or two
 * dates; none means the last 365 days) or a number of days, and the filters that apply to it
 * (pipeline, owner, department, source, segment). A designer report takes none: its filters are
 * its own.
 */
export function RunFilters({ takes, params, onChange }: Props) {
  if (takes.length === 0) return null;
  const set = (p: Record<string, string>) => onChange({ ...params, ...p });
  const has = (k: string) => takes.includes(k);
  return (
    <div className="toolbar" role="search" aria-label={t('rw.filters')}>
      {has('from') && <Period params={params} set={set} />}
      {has('days') && (
        <label className="field-inline">
          <span className="field-inline-label">{t('rw.days')}</span>
          <input className="input input-sm" type="number" min={1} max={3650} name="days" value={params.days ?? ''} onChange={(e) => set({ days: e.target.value })} />
        </label>
      )}
      {has('pipeline_id') && <PipelinePick value={params.pipeline_id ?? ''} set={set} />}
      {has('owner_id') && <OwnerPick value={params.owner_id ?? ''} set={set} />}
      {has('department_id') && <DepartmentPick value={params.department_id ?? ''} set={set} />}
      {has('source') && <TextFilter name="source" label="deals.source" value={params.source ?? ''} set={set} />}
      {has('segment') && <TextFilter name="segment" label="rw.segment" value={params.segment ?? ''} set={set} />}
    </div>
  );
}

type Set = (p: Record<string, string>) => void;

function Period({ params, set }: { params: Record<string, string>; set: Set }) {
  const from = params.from ?? '';
  const to = params.to ?? '';
  const preset = from && to ? presetOf(from, to) : null;
  return (
    <>
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
    </>
  );
}

function PipelinePick({ value, set }: { value: string; set: Set }) {
  const pipelines = usePipelines() ?? [];
  return (
    <label className="field-inline">
      <span className="field-inline-label">{t('deals.pipeline')}</span>
      <select className="input input-sm" name="pipeline_id" value={value} onChange={(e) => set({ pipeline_id: e.target.value })}>
        <option value="">{t('rw.allPipelines')}</option>
        {pipelines.map((p) => (
          <option key={p.id} value={String(p.id)}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function OwnerPick({ value, set }: { value: string; set: Set }) {
  const users = useUsers();
  return (
    <label className="field-inline">
      <span className="field-inline-label">{t('deals.owner')}</span>
      <select className="input input-sm" name="owner_id" value={value} onChange={(e) => set({ owner_id: e.target.value })}>
        <option value="">{t('deals.anyOwner')}</option>
        {users.map((u) => (
          <option key={u.id} value={String(u.id)}>
            {u.name || u.email}
          </option>
        ))}
      </select>
    </label>
  );
}

function DepartmentPick({ value, set }: { value: string; set: Set }) {
  const depts = useDepartments();
  if (depts.length === 0) return null;
  return (
    <label className="field-inline">
      <span className="field-inline-label">{t('deals.department')}</span>
      <select className="input input-sm" name="department_id" value={value} onChange={(e) => set({ department_id: e.target.value })}>
        <option value="">{t('deals.anyDepartment')}</option>
        {treeOrder(depts).map(({ dept, depth }) => (
          <option key={dept.id} value={String(dept.id)}>
            {'\u00a0\u00a0'.repeat(depth)}
            {dept.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A text filter applied a moment after typing stops. */
function TextFilter({ name, label, value, set }: { name: string; label: Key; value: string; set: Set }) {
  const [text, setText] = useState(value);
  const typed = useDebounced(text.trim(), 300);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (typed !== value) set({ [name]: typed });
  }, [typed]);
  return (
    <label className="field-inline">
      <span className="field-inline-label">{t(label)}</span>
      <input className="input input-sm" name={name} value={text} onChange={(e) => setText(e.target.value)} />
    </label>
  );
}

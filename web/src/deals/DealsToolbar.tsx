import { useEffect, useState } from 'react';
import { useDebounced } from '../common/hooks';
import { useUsers } from '../common/inputs';
import { usePipelines } from '../common/salesInputs';
import { treeOrder } from '../common/useOrg';
import { t } from '../i18n';
import { FilterChips } from './FilterChips';
import { ALL_PIPELINES, onBar, type Filters } from './filters';
import { useDepartments } from './useDepartments';

interface Props {
  filters: Filters;
  /** The pipeline shown when the URL names none (the first active one). */
  pipelineId: string;
  /** The list has a text search (the board's API does not search). */
  search?: boolean;
  onChange: (f: Filters) => void;
}

/** Pipeline, owner, department, source and creation period: shared by the board and the list. */
export function DealsToolbar({ filters, pipelineId, search, onChange }: Props) {
  const pipelines = usePipelines() ?? [];
  const users = useUsers();
  const depts = useDepartments();
  const [source, setSource] = useState(filters.source ?? '');
  const typed = useDebounced(source.trim(), 300);
  useEffect(() => setSource(filters.source ?? ''), [filters.source]);
  useEffect(() => {
    if (typed !== (filters.source ?? '')) set('source', typed);
  }, [typed]);
  const [qText, setQText] = useState(filters.q ?? '');
  const q = useDebounced(qText.trim(), 300);
  useEffect(() => setQText(filters.q ?? ''), [filters.q]);
  useEffect(() => {
    if (search && q !== (filters.q ?? '')) set('q', q);
  }, [q]);

  function set(key: string, v: string) {
    const next = { ...filters };
    if (v) next[key] = v;
    else delete next[key];
    onChange(next);
  }

  return (
    <div className="toolbar deals-toolbar" role="search" aria-label={t('deals.filters')}>
      {search && (
        <label className="field-inline grow">
          <span className="field-inline-label">{t('deals.filter.q')}</span>
          <input type="search" className="input input-sm" name="q" placeholder={t('deals.search')} value={qText} onChange={(e) => setQText(e.target.value)} />
        </label>
      )}
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.pipeline')}</span>
        <select className="input input-sm" name="pipeline_id" value={pipelineId} onChange={(e) => set('pipeline_id', e.target.value)}>
          {search && <option value={ALL_PIPELINES}>{t('rw.allPipelines')}</option>}
          {pipelines
            .filter((p) => !p.archived || String(p.id) === pipelineId)
            .map((p) => (
              <option key={p.id} value={String(p.id)}>
                {p.name}
              </option>
            ))}
        </select>
      </label>
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.owner')}</span>
        <select className="input input-sm" name="owner_id" value={filters.owner_id ?? ''} onChange={(e) => set('owner_id', e.target.value)}>
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
          <select className="input input-sm" name="department_id" value={filters.department_id ?? ''} onChange={(e) => set('department_id', e.target.value)}>
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
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.createdFrom')}</span>
        <input className="input input-sm" type="date" name="created_from" value={onBar('created_at[gte]', filters['created_at[gte]'] ?? '') ? filters['created_at[gte]'] : ''} onChange={(e) => set('created_at[gte]', e.target.value)} />
      </label>
      <label className="field-inline">
        <span className="field-inline-label">{t('deals.createdTo')}</span>
        <input className="input input-sm" type="date" name="created_to" value={onBar('created_at[lte]', filters['created_at[lte]'] ?? '') ? filters['created_at[lte]'] : ''} onChange={(e) => set('created_at[lte]', e.target.value)} />
      </label>
      <label className="field-inline check-inline">
        <input type="checkbox" name="stuck" checked={filters.stuck === 'true'} onChange={(e) => set('stuck', e.target.checked ? 'true' : '')} />
        <span>{t('deals.stuckOnly')}</span>
      </label>
      <FilterChips
        filters={filters}
        onRemove={(k) => {
          const next = { ...filters };
          delete next[k];
          onChange(next);
        }}
      />
    </div>
  );
}

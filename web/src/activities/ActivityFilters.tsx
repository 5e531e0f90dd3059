import { ACTIVITY_KINDS } from '../api';
import { t } from '../i18n';
import { KIND_STATUSES, kindLabel, statusLabel } from './kinds';
import { DUE_PERIODS, type ListFilters } from './listQuery';
import { PersonSelect } from './PersonSelect';

interface Props {
  value: ListFilters;
  onChange: (f: ListFilters) => void;
}

/** The list's toolbar: kind, status, owner, due period (overdue among them) and a search. */
export function ActivityFilters({ value: f, onChange }: Props) {
  const set = (patch: Partial<ListFilters>) => onChange({ ...f, ...patch });
  const statuses = f.kind ? KIND_STATUSES[f.kind as keyof typeof KIND_STATUSES] ?? [] : ['open', 'done', 'planned', 'held', 'cancelled'];
  return (
    <div className="toolbar activity-filters" role="search" aria-label={t('activities.filters')}>
      <label className="inline-field">
        <span>{t('field.kind')}</span>
        <select className="input" value={f.kind} onChange={(e) => set({ kind: e.target.value, status: '' })}>
          <option value="">{t('activities.allKinds')}</option>
          {ACTIVITY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(kindLabel(k))}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-field">
        <span>{t('field.status')}</span>
        <select className="input" value={f.status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">{t('activities.anyStatus')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(statusLabel(s))}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-field">
        <span>{t('field.owner')}</span>
        <PersonSelect id="activities-owner" value={f.owner_id ? Number(f.owner_id) : null} anyLabel={t('activities.anyone')} onChange={(v) => set({ owner_id: v === null ? '' : String(v) })} />
      </label>
      <label className="inline-field">
        <span>{t('field.due_at')}</span>
        <select className="input" value={f.due} onChange={(e) => set({ due: e.target.value })}>
          <option value="">{t('activities.anyTime')}</option>
          {DUE_PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`activities.due.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-field grow">
        <span className="sr-only">{t('activities.search')}</span>
        <input className="input" type="search" placeholder={t('activities.search')} value={f.q} onChange={(e) => set({ q: e.target.value })} />
      </label>
    </div>
  );
}

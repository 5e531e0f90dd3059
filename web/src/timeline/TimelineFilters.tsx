import { ACTIVITY_KINDS } from '../api';
import { PersonSelect } from '../activities/PersonSelect';
import { kindLabel } from '../activities/kinds';
import { t } from '../i18n';
import type { TimelineFilter } from './useTimeline';

interface Props {
  id: string;
  value: TimelineFilter;
  /** Deals have stage moves; companies and contacts do not. */
  withStages: boolean;
  onChange: (f: TimelineFilter) => void;
}

/** What the timeline shows: a type (or an activity kind) and one person's entries. */
export function TimelineFilters({ id, value, withStages, onChange }: Props) {
  // One select for type and kind: "Calls" is type=activity&kind=call.
  const current = value.kind ? `kind:${value.kind}` : value.type ? `type:${value.type}` : '';
  return (
    <div className="toolbar timeline-filters">
      <label className="inline-field">
        <span>{t('timeline.show')}</span>
        <select
          id={`${id}-type`}
          className="input"
          value={current}
          onChange={(e) => {
            const [what, v] = e.target.value.split(':');
            onChange({ ...value, type: what === 'kind' ? 'activity' : (v ?? ''), kind: what === 'kind' ? v : '' });
          }}
        >
          <option value="">{t('timeline.everything')}</option>
          <option value="type:activity">{t('timeline.type.activity')}</option>
          {ACTIVITY_KINDS.map((k) => (
            <option key={k} value={`kind:${k}`}>
              — {t(kindLabel(k))}
            </option>
          ))}
          <option value="type:change">{t('timeline.type.change')}</option>
          {withStages && <option value="type:stage">{t('timeline.type.stage')}</option>}
          <option value="type:document">{t('timeline.type.document')}</option>
        </select>
      </label>
      <label className="inline-field">
        <span>{t('timeline.person')}</span>
        <PersonSelect id={`${id}-person`} value={value.user_id ? Number(value.user_id) : null} anyLabel={t('activities.anyone')} onChange={(v) => onChange({ ...value, user_id: v === null ? '' : String(v) })} />
      </label>
    </div>
  );
}

import { useUsers } from '../common/inputs';
import { usePipelines } from '../common/salesInputs';
import { t } from '../i18n';
import { chipLabel, onBar, type Filters } from './filters';
import { useLostReasons } from './useLostReasons';

interface Props {
  filters: Filters;
  onRemove: (key: string) => void;
}

/** The filters that came with the link (from the funnel, a stage's "more"), each removable. */
export function FilterChips({ filters, onRemove }: Props) {
  const names = { pipelines: usePipelines() ?? [], users: useUsers(), reasons: useLostReasons() ?? [] };
  const extra = Object.entries(filters).filter(([k, v]) => !onBar(k, v));
  if (extra.length === 0) return null;
  return (
    <ul className="chips filter-chips" aria-label={t('deals.filters')}>
      {extra.map(([k, v]) => {
        const label = chipLabel(k, v, names);
        return (
          <li key={k} className="chip" data-filter={k}>
            <span>{label}</span>
            <button type="button" className="chip-x" aria-label={t('deals.removeFilter', { name: label })} onClick={() => onRemove(k)}>
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}

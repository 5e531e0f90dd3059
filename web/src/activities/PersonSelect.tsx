import { useUsers } from '../common/inputs';
import { t } from '../i18n';

interface Props {
  id: string;
  value: number | null;
  /** The first option, for "anyone" in a filter; without it a person must be chosen. */
  anyLabel?: string;
  onChange: (v: number | null) => void;
}

/** A select of the active users (my day's person, the filters' owner and person). */
export function PersonSelect({ id, value, anyLabel, onChange }: Props) {
  const list = useUsers();
  return (
    <select id={id} className="input" value={value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {list
        .filter((u) => u.active !== false || u.id === value)
        .map((u) => (
          <option key={u.id} value={String(u.id)}>
            {u.name || u.email}
          </option>
        ))}
      {value !== null && !list.some((u) => u.id === value) && <option value={String(value)}>{t('common.userN', { id: value })}</option>}
    </select>
  );
}

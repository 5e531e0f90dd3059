import { useState } from 'react';
import { useUsers } from '../common/inputs';
import { t } from '../i18n';

interface Props {
  id: string;
  value: number[];
  /** The owner takes part anyway: not offered. */
  ownerId: number | null;
  onChange: (v: number[]) => void;
}

/** Co-workers or attendees: the chosen ones as removable chips, and a filterable list to add from. */
export function ParticipantsPicker({ id, value, ownerId, onChange }: Props) {
  const users = useUsers();
  const [q, setQ] = useState('');
  const name = (uid: number) => {
    const u = users.find((x) => x.id === uid);
    return u ? u.name || u.email : t('common.userN', { id: uid });
  };
  const needle = q.trim().toLowerCase();
  const offered = users.filter(
    (u) =>
      u.active !== false &&
      u.id !== ownerId &&
      !value.includes(u.id) &&
      (!needle || `${u.name} ${u.email}`.toLowerCase().includes(needle)),
  );
  return (
    <div className="participants">
      {value.length > 0 && (
        <ul className="chips" aria-label={t('field.participants')}>
          {value.map((uid) => (
            <li key={uid} className="chip">
              {name(uid)}
              <button type="button" className="chip-x" aria-label={t('form.removeItem', { what: name(uid) })} onClick={() => onChange(value.filter((x) => x !== uid))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="list-row">
        <input id={id} className="input" type="search" value={q} placeholder={t('participants.find')} autoComplete="off" onChange={(e) => setQ(e.target.value)} />
        <select
          className="input"
          aria-label={t('participants.add')}
          value=""
          onChange={(e) => {
            if (e.target.value) onChange([...value, Number(e.target.value)]);
            setQ('');
          }}
        >
          <option value="">{t('participants.add')}</option>
          {offered.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name || u.email}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

import { t } from '../i18n';
import type { Directory } from './useDirectory';
import type { Person } from './types';

/** The person forms of docs/processes.md as one select: owner, owner's head, a user, a role in the department. */
function encode(p: Person | undefined): string {
  if (p === undefined) return '';
  if (typeof p === 'string') return p;
  if ('user' in p) return `user:${p.user}`;
  return `role:${p.role}`;
}

function decode(v: string): Person | undefined {
  if (v === 'record_owner' || v === 'owner_head') return v;
  const [kind, id] = v.split(':');
  if (kind === 'user') return { user: Number(id) };
  if (kind === 'role') return { role: Number(id), in: 'record_department' };
  return undefined;
}

export function PersonPicker({ id, value, dir, onChange, disabled }: { id: string; value: Person | undefined; dir: Directory; onChange: (p: Person | undefined) => void; disabled?: boolean }) {
  const v = encode(value);
  return (
    <select className="input" id={id} value={v} disabled={disabled} onChange={(e) => onChange(decode(e.target.value))}>
      {v === '' && <option value="">{t('pe.person.none')}</option>}
      <option value="record_owner">{t('pe.person.owner')}</option>
      <option value="owner_head">{t('pe.person.head')}</option>
      <optgroup label={t('pe.person.users')}>
        {dir.users
          .filter((u) => u.active !== false || v === `user:${u.id}`)
          .map((u) => (
            <option key={u.id} value={`user:${u.id}`}>
              {u.name || u.email}
            </option>
          ))}
        {v.startsWith('user:') && !dir.users.some((u) => `user:${u.id}` === v) && <option value={v}>{v}</option>}
      </optgroup>
      <optgroup label={t('pe.person.roles')}>
        {dir.roles.map((r) => (
          <option key={r.id} value={`role:${r.id}`}>
            {t('pe.person.role', { role: r.name })}
          </option>
        ))}
        {v.startsWith('role:') && !dir.roles.some((r) => `role:${r.id}` === v) && <option value={v}>{v}</option>}
      </optgroup>
    </select>
  );
}

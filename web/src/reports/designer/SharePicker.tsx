import { useUsers } from '../../common/inputs';
import { useDepartments } from '../../deals/useDepartments';
import { t } from '../../i18n';
import type { Share } from '../reportsApi';

interface Props {
  shares: Share[];
  /** The report's owner, not offered (they have it). */
  ownerId: number | null;
  onChange: (s: Share[]) => void;
}

const hasUser = (s: Share[], id: number) => s.some((x) => 'user_id' in x && x.user_id === id);
const hasDept = (s: Share[], id: number) => s.some((x) => 'department_id' in x && x.department_id === id);

/** The people and departments the report is shared with (read-only to them; they run it with their own rights). */
export function SharePicker({ shares, ownerId, onChange }: Props) {
  const users = useUsers().filter((u) => u.id !== ownerId && u.active !== false);
  const depts = useDepartments();
  const toggle = (on: boolean, s: Share, same: (x: Share) => boolean) => onChange(on ? [...shares, s] : shares.filter((x) => !same(x)));
  return (
    <fieldset className="designer-part designer-shares">
      <legend>{t('rw.d.shares')}</legend>
      <div role="group" aria-label={t('rw.d.sharePeople')} className="designer-checks">
        {users.map((u) => (
          <label key={u.id} className="check">
            <input type="checkbox" checked={hasUser(shares, u.id)} onChange={(e) => toggle(e.target.checked, { user_id: u.id }, (x) => 'user_id' in x && x.user_id === u.id)} />
            {u.name || u.email}
          </label>
        ))}
      </div>
      {depts.length > 0 && (
        <div role="group" aria-label={t('rw.d.shareDepartments')} className="designer-checks">
          {depts.map((d) => (
            <label key={d.id} className="check">
              <input type="checkbox" checked={hasDept(shares, d.id)} onChange={(e) => toggle(e.target.checked, { department_id: d.id }, (x) => 'department_id' in x && x.department_id === d.id)} />
              {d.name}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

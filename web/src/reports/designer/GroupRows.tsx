import { t, type Key } from '../../i18n';
import type { Group } from '../reportsApi';
import { FieldSelect } from './FieldSelect';
import { kindOf, type Field } from './fields';
import { ProblemText } from './ProblemText';
import { at, type Problems } from './problems';

const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'];
const MAX = 3;

interface Props {
  groups: Group[];
  fields: Field[];
  problems: Problems;
  onChange: (g: Group[]) => void;
}

/** Up to three group levels: a field, and for a date or time a bucket. */
export function GroupRows({ groups, fields, problems, onChange }: Props) {
  const set = (i: number, g: Group) => onChange(groups.map((x, j) => (j === i ? g : x)));
  const groupable = fields.filter((f) => f.kind !== 'list');
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.groups')}</legend>
      {groups.map((g, i) => {
        const kind = kindOf(fields, g.field);
        const dated = kind === 'date' || kind === 'time';
        return (
          <div key={i} className="designer-row" data-group={i}>
            <FieldSelect fields={groupable} value={g.field} label={t('rw.d.groupField', { n: i + 1 })} onChange={(f) => set(i, { field: f })} />
            {dated && (
              <select className="input input-sm" aria-label={t('rw.d.bucket', { n: i + 1 })} value={g.bucket ?? ''} onChange={(e) => set(i, e.target.value ? { field: g.field, bucket: e.target.value } : { field: g.field })}>
                <option value="">{t('rw.d.noBucket')}</option>
                {BUCKETS.map((b) => (
                  <option key={b} value={b}>
                    {t(`rw.bucket.${b}` as Key)}
                  </option>
                ))}
              </select>
            )}
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('rw.d.removeGroup', { n: i + 1 })} onClick={() => onChange(groups.filter((_, j) => j !== i))}>
              ×
            </button>
            <ProblemText messages={at(problems, `group_by[${i}]`)} path={`group_by[${i}]`} />
          </div>
        );
      })}
      {groups.length < MAX && (
        <button type="button" className="btn btn-sm" onClick={() => onChange([...groups, { field: '' }])}>
          {t('rw.d.addGroup')}
        </button>
      )}
    </fieldset>
  );
}

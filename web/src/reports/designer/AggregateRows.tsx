import { t, type Key } from '../../i18n';
import type { Aggregate } from '../reportsApi';
import { FieldSelect } from './FieldSelect';
import { kindOf, type Field } from './fields';
import { ProblemText } from './ProblemText';
import { at, type Problems } from './problems';

const FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'];
const MAX = 10;

interface Props {
  aggregates: Aggregate[];
  fields: Field[];
  problems: Problems;
  onChange: (a: Aggregate[]) => void;
}

/** What each group counts: count (rows or a field's values), distinct count, sum, average, min, max. */
export function AggregateRows({ aggregates, fields, problems, onChange }: Props) {
  const set = (i: number, a: Aggregate) => onChange(aggregates.map((x, j) => (j === i ? a : x)));
  const numeric = fields.filter((f) => f.kind === 'int');
  const ordered = fields.filter((f) => f.kind === 'int' || f.kind === 'date' || f.kind === 'time');
  const choices = (fn: string) => (fn === 'sum' || fn === 'avg' ? numeric : fn === 'min' || fn === 'max' ? ordered : fields.filter((f) => f.kind !== 'list'));
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.aggregates')}</legend>
      {aggregates.map((a, i) => (
        <div key={i} className="designer-row" data-aggregate={i}>
          <select className="input input-sm" aria-label={t('rw.d.fn', { n: i + 1 })} value={a.fn} onChange={(e) => set(i, e.target.value === 'count' ? { fn: 'count' } : { fn: e.target.value, field: a.field && kindOf(choices(e.target.value), a.field) ? a.field : '' })}>
            {FNS.map((f) => (
              <option key={f} value={f}>
                {t(`rw.fn.${f}` as Key)}
              </option>
            ))}
          </select>
          <FieldSelect
            fields={choices(a.fn)}
            value={a.field ?? ''}
            label={t('rw.d.fnField', { n: i + 1 })}
            none={a.fn === 'count' ? t('rw.d.rows') : undefined}
            onChange={(f) => set(i, f ? { fn: a.fn, field: f } : { fn: a.fn })}
          />
          <button type="button" className="btn btn-ghost btn-sm" aria-label={t('rw.d.removeAggregate', { n: i + 1 })} onClick={() => onChange(aggregates.filter((_, j) => j !== i))}>
            ×
          </button>
          <ProblemText messages={at(problems, `aggregates[${i}]`)} path={`aggregates[${i}]`} />
        </div>
      ))}
      {aggregates.length < MAX && (
        <button type="button" className="btn btn-sm" onClick={() => onChange([...aggregates, { fn: 'count' }])}>
          {t('rw.d.addAggregate')}
        </button>
      )}
    </fieldset>
  );
}

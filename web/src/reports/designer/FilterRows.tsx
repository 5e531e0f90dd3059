import { t, type Key } from '../../i18n';
import type { Filter } from '../reportsApi';
import { FieldSelect } from './FieldSelect';
import { kindOf, type Field, type Kind } from './fields';
import { FilterValue } from './FilterValue';
import { ProblemText } from './ProblemText';
import { at, type Problems } from './problems';

const MAX = 20;

/** The operators a field of this kind takes (docs/reports.md "Filters"). */
function opsFor(kind: Kind | undefined): string[] {
  if (kind === 'list') return ['empty'];
  if (kind === 'time') return ['period', 'lt', 'lte', 'gt', 'gte', 'empty'];
  if (kind === 'date') return ['period', 'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'empty'];
  if (kind === 'int') return ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'empty'];
  if (kind === 'id') return ['eq', 'ne', 'in', 'empty'];
  return ['eq', 'ne', 'in', 'prefix', 'empty'];
}

const initial = (op: string): unknown => (op === 'empty' ? true : op === 'period' ? { period: 'this_month' } : op === 'in' ? [] : '');

interface Props {
  filters: Filter[];
  fields: Field[];
  problems: Problems;
  onChange: (f: Filter[]) => void;
}

/** Conditions that must all hold: field, operator, value (relative periods for dates and times). */
export function FilterRows({ filters, fields, problems, onChange }: Props) {
  const set = (i: number, f: Filter) => onChange(filters.map((x, j) => (j === i ? f : x)));
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.filters')}</legend>
      {filters.map((f, i) => {
        const kind = kindOf(fields, f.field);
        const ops = opsFor(kind);
        return (
          <div key={i} className="designer-row" data-filter={i}>
            <FieldSelect
              fields={fields}
              value={f.field}
              label={t('rw.d.filterField', { n: i + 1 })}
              onChange={(name) => {
                const op = opsFor(kindOf(fields, name))[0];
                set(i, { field: name, op, value: initial(op) });
              }}
            />
            <select className="input input-sm" aria-label={t('rw.d.op', { n: i + 1 })} value={f.op} onChange={(e) => set(i, { field: f.field, op: e.target.value, value: initial(e.target.value) })}>
              {(ops.includes(f.op) ? ops : [f.op, ...ops]).map((o) => (
                <option key={o} value={o}>
                  {t(`rw.op.${o}` as Key)}
                </option>
              ))}
            </select>
            <FilterValue op={f.op} kind={kind} value={f.value} label={t('rw.d.value', { n: i + 1 })} onChange={(v) => set(i, { ...f, value: v })} />
            <button type="button" className="btn btn-ghost btn-sm" aria-label={t('rw.d.removeFilter', { n: i + 1 })} onClick={() => onChange(filters.filter((_, j) => j !== i))}>
              ×
            </button>
            <ProblemText messages={at(problems, `filters[${i}]`)} path={`filters[${i}]`} />
          </div>
        );
      })}
      {filters.length < MAX && (
        <button type="button" className="btn btn-sm" onClick={() => onChange([...filters, { field: '', op: 'eq', value: '' }])}>
          {t('rw.d.addFilter')}
        </button>
      )}
    </fieldset>
  );
}

import { t } from '../../i18n';
import { FieldSelect } from './FieldSelect';
import type { Field } from './fields';
import { ProblemText } from './ProblemText';
import { at, atExactly, type Problems } from './problems';

const MAX = 30;

interface Props {
  columns: string[];
  fields: Field[];
  problems: Problems;
  onChange: (c: string[]) => void;
}

/** A list of records: the fields of each row, in order (1 to 30, no repeats). */
export function ColumnRows({ columns, fields, problems, onChange }: Props) {
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.columns')}</legend>
      {columns.map((c, i) => (
        <div key={i} className="designer-row" data-column={i}>
          <FieldSelect fields={fields.filter((f) => f.name === c || !columns.includes(f.name))} value={c} label={t('rw.d.column', { n: i + 1 })} onChange={(f) => onChange(columns.map((x, j) => (j === i ? f : x)))} />
          <button type="button" className="btn btn-ghost btn-sm" aria-label={t('rw.d.removeColumn', { n: i + 1 })} onClick={() => onChange(columns.filter((_, j) => j !== i))}>
            ×
          </button>
          <ProblemText messages={at(problems, `columns[${i}]`)} path={`columns[${i}]`} />
        </div>
      ))}
      {columns.length < MAX && (
        <button type="button" className="btn btn-sm" onClick={() => onChange([...columns, ''])}>
          {t('rw.d.addColumn')}
        </button>
      )}
      <ProblemText messages={atExactly(problems, 'columns')} path="columns" />
    </fieldset>
  );
}

import { t, type Key } from '../../i18n';
import { CHARTS, type ChartKind, type Definition, type SortKey } from '../reportsApi';
import { outputKeys } from './keys';
import { ProblemText } from './ProblemText';
import { at, type Problems } from './problems';

interface Props {
  def: Definition;
  problems: Problems;
  onChange: (d: Partial<Definition>) => void;
}

/** The order of the rows (up to three keys of the answer), how many, and the chart. */
export function OutputOptions({ def, problems, onChange }: Props) {
  const keys = outputKeys(def);
  const sort = def.sort ?? [];
  const setSort = (s: SortKey[]) => onChange({ sort: s });
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.output')}</legend>
      {sort.map((s, i) => (
        <div key={i} className="designer-row" data-sort={i}>
          <select className="input input-sm" aria-label={t('rw.d.sortKey', { n: i + 1 })} value={s.key} onChange={(e) => setSort(sort.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}>
            {!keys.includes(s.key) && <option value={s.key}>{s.key}</option>}
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <select className="input input-sm" aria-label={t('rw.d.sortDir', { n: i + 1 })} value={s.dir ?? 'asc'} onChange={(e) => setSort(sort.map((x, j) => (j === i ? { ...x, dir: e.target.value as 'asc' | 'desc' } : x)))}>
            <option value="asc">{t('rw.d.asc')}</option>
            <option value="desc">{t('rw.d.desc')}</option>
          </select>
          <button type="button" className="btn btn-ghost btn-sm" aria-label={t('rw.d.removeSort', { n: i + 1 })} onClick={() => setSort(sort.filter((_, j) => j !== i))}>
            ×
          </button>
          <ProblemText messages={at(problems, `sort[${i}]`)} path={`sort[${i}]`} />
        </div>
      ))}
      {sort.length < 3 && keys.length > 0 && (
        <button type="button" className="btn btn-sm" onClick={() => setSort([...sort, { key: keys[0], dir: 'asc' }])}>
          {t('rw.d.addSort')}
        </button>
      )}
      <div className="designer-row">
        <label className="field-inline">
          <span className="field-inline-label">{t('rw.d.limit')}</span>
          <input className="input input-sm designer-n" type="number" min={1} max={10000} value={def.limit ?? ''} placeholder="1000" onChange={(e) => onChange({ limit: e.target.value ? Number(e.target.value) : undefined })} />
        </label>
        <label className="field-inline">
          <span className="field-inline-label">{t('rw.d.chart')}</span>
          <select className="input input-sm" name="chart" value={def.chart ?? 'table'} onChange={(e) => onChange({ chart: e.target.value as ChartKind })}>
            {CHARTS.map((c) => (
              <option key={c} value={c}>
                {t(`rw.chart.${c}` as Key)}
              </option>
            ))}
          </select>
        </label>
        <ProblemText messages={[...at(problems, 'limit'), ...at(problems, 'chart')]} path="limit" />
      </div>
    </fieldset>
  );
}

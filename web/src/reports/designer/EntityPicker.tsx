import { t, type Key } from '../../i18n';
import { REPORT_ENTITIES, type ReportEntity } from '../reportsApi';
import { JOINS } from './fields';

interface Props {
  entity: ReportEntity;
  joins: string[];
  onEntity: (e: ReportEntity) => void;
  onJoins: (j: string[]) => void;
}

/** What the report counts, and the related records whose fields it may name. */
export function EntityPicker({ entity, joins, onEntity, onJoins }: Props) {
  return (
    <fieldset className="designer-part">
      <legend>{t('rw.d.entity')}</legend>
      <select className="input input-sm" aria-label={t('rw.d.entity')} name="entity" value={entity} onChange={(e) => onEntity(e.target.value as ReportEntity)}>
        {REPORT_ENTITIES.map((e) => (
          <option key={e} value={e}>
            {t(`rw.entity.${e}` as Key)}
          </option>
        ))}
      </select>
      <div className="designer-joins" role="group" aria-label={t('rw.d.joins')}>
        <span className="field-inline-label">{t('rw.d.joins')}</span>
        {JOINS[entity].map((j) => (
          <label key={j} className="check">
            <input type="checkbox" checked={joins.includes(j)} onChange={(e) => onJoins(e.target.checked ? [...joins, j] : joins.filter((x) => x !== j))} />
            {t(`rw.join.${j}` as Key)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

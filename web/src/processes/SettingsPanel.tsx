import type { FieldError } from '../api';
import { t, type Key } from '../i18n';
import { EntitySelect, FieldSelect, Row, parseValue, showValue } from './inputs';
import { StageSelect } from './KindFields';
import { ScheduleFields } from './ScheduleFields';
import type { Definition, Trigger } from './types';
import { fieldsOf, type Directory } from './useDirectory';

export const TRIGGERS: Trigger['type'][] = ['manual', 'created', 'field_changed', 'schedule', 'date_offset'];
export const triggerKey = (tt: string) => `processes.trigger.${tt}` as Key;

/** A fresh trigger of a type, with the members it needs. */
export function newTrigger(type: Trigger['type'], fields: string[]): Trigger {
  switch (type) {
    case 'field_changed':
      return { type, field: fields[0] ?? '' };
    case 'schedule':
      return { type, cron: '0 9 * * 1', tz: 'UTC' };
    case 'date_offset':
      return { type, field: fields[0] ?? '', days: -30 };
    default:
      return { type };
  }
}

/** The template's own settings, shown when nothing on the canvas is selected. */
export function SettingsPanel({ def, isNew, errors, dir, readOnly, onChange }: { def: Definition; isNew: boolean; errors: FieldError[]; dir: Directory; readOnly: boolean; onChange: (d: Definition) => void }) {
  const fields = fieldsOf(dir, def.entity);
  const tr = def.trigger;
  const setTrigger = (patch: Record<string, unknown>) => onChange({ ...def, trigger: { ...tr, ...patch } });
  return (
    <aside className="card pe-panel" aria-label={t('pe.settings')}>
      <h2 className="card-title">{t('pe.settings')}</h2>
      {errors.length > 0 && (
        <ul className="pe-step-errors" aria-label={t('pe.errors')}>
          {errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      <Row label={t('processes.name')}>
        <input className="input" value={def.name} readOnly={readOnly} maxLength={200} onChange={(e) => onChange({ ...def, name: e.target.value })} />
      </Row>
      <Row label={t('pe.key')}>
        <input className="input" value={def.key} readOnly={readOnly || !isNew} maxLength={64} onChange={(e) => onChange({ ...def, key: e.target.value })} />
      </Row>
      <Row label={t('pe.description')}>
        <textarea className="input" rows={2} value={def.description ?? ''} readOnly={readOnly} onChange={(e) => onChange({ ...def, description: e.target.value })} />
      </Row>
      <EntitySelect label={t('processes.entity')} value={def.entity} readOnly={readOnly} onChange={(en) => onChange({ ...def, entity: en })} />
      <Row label={t('pe.trigger')}>
        <select className="input" value={tr.type} disabled={readOnly} onChange={(e) => onChange({ ...def, trigger: newTrigger(e.target.value as Trigger['type'], fields) })}>
          {TRIGGERS.map((x) => (
            <option key={x} value={x}>
              {t(triggerKey(x))}
            </option>
          ))}
        </select>
      </Row>
      {(tr.type === 'field_changed' || tr.type === 'date_offset') && (
        <FieldSelect label={t('pe.field')} value={String(tr.field ?? '')} fields={fields} readOnly={readOnly} onChange={(f) => setTrigger({ field: f })} />
      )}
      {tr.type === 'field_changed' && tr.field === 'stage_id' && (
        <Row label={t('pe.changedTo')}>
          <StageSelect
            value={Number(tr.to ?? 0)}
            dir={dir}
            readOnly={readOnly}
            empty={t('pe.anyStage')}
            onChange={(id) => {
              const next: Trigger = { ...tr };
              if (id === 0) delete next.to;
              else next.to = id;
              onChange({ ...def, trigger: next });
            }}
          />
        </Row>
      )}
      {tr.type === 'field_changed' && tr.field !== 'stage_id' && (
        <Row label={t('pe.changedTo')}>
          <input
            className="input"
            value={showValue(tr.to)}
            readOnly={readOnly}
            onChange={(e) => {
              const next: Trigger = { ...tr };
              if (e.target.value === '') delete next.to;
              else next.to = parseValue(e.target.value);
              onChange({ ...def, trigger: next });
            }}
          />
        </Row>
      )}
      {tr.type === 'date_offset' && (
        <Row label={t('pe.days')}>
          <input className="input" type="number" value={Number(tr.days ?? 0)} readOnly={readOnly} onChange={(e) => setTrigger({ days: Number(e.target.value) })} />
        </Row>
      )}
      {tr.type === 'schedule' && <ScheduleFields tr={tr} entity={def.entity} dir={dir} readOnly={readOnly} onChange={(next) => onChange({ ...def, trigger: next })} />}
    </aside>
  );
}

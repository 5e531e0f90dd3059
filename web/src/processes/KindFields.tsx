// The members of each step kind (docs/processes.md, "Steps"), edited in the side panel.
import { t } from '../i18n';
import { DurationInput, EntitySelect, FieldSelect, JsonField, Row, parseValue, showValue } from './inputs';
import { PersonPicker } from './PersonPicker';
import type { Definition, Person, Step, Unit } from './types';
import { fieldsOf, type Directory } from './useDirectory';

interface Props {
  step: Step;
  def: Definition;
  dir: Directory;
  readOnly: boolean;
  set: (patch: Partial<Step>, drop?: string[]) => void;
}

const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'empty', 'not_empty', 'changed'];

function People({ step, dir, readOnly, set }: Props) {
  const to = (Array.isArray(step.to) ? step.to : []) as Person[];
  return (
    <fieldset className="pe-fieldset">
      <legend>{t('pe.to')}</legend>
      {to.map((p, i) => (
        <div className="pe-row" key={i}>
          <PersonPicker id={`pe-to-${i}`} value={p} dir={dir} disabled={readOnly} onChange={(v) => set({ to: to.map((x, j) => (j === i ? v : x)) })} />
          {!readOnly && (
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => set({ to: to.filter((_, j) => j !== i) })}>
              {t('pe.remove')}
            </button>
          )}
        </div>
      ))}
      {!readOnly && to.length < 10 && (
        <button type="button" className="btn btn-sm" onClick={() => set({ to: [...to, 'record_owner'] })}>
          {t('pe.addPerson')}
        </button>
      )}
    </fieldset>
  );
}

function Text({ label, name, step, readOnly, set, rows = 3 }: Props & { label: string; name: string; rows?: number }) {
  return (
    <Row label={label}>
      {rows > 1 ? (
        <textarea className="input" rows={rows} value={showValue(step[name])} readOnly={readOnly} onChange={(e) => set({ [name]: e.target.value })} />
      ) : (
        <input className="input" value={showValue(step[name])} readOnly={readOnly} onChange={(e) => set({ [name]: e.target.value })} />
      )}
    </Row>
  );
}

/** One comparison {field, op, value} on the entity's fields; anything richer is edited as JSON. */
export function ConditionEditor({ value, entity, dir, readOnly, legend, ops = OPS, onChange }: { value: unknown; entity: string; dir: Directory; readOnly: boolean; legend: string; ops?: string[]; onChange: (v: unknown) => void }) {
  const c = (value ?? {}) as { field?: string; op?: string; value?: unknown };
  if (typeof c.field !== 'string') return <JsonField label={legend} value={value} readOnly={readOnly} onChange={onChange} />;
  const put = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...c, ...patch };
    if (next.op === 'empty' || next.op === 'not_empty' || next.op === 'changed') delete next.value;
    else if (next.value === undefined) next.value = '';
    onChange(next);
  };
  return (
    <fieldset className="pe-fieldset">
      <legend>{legend}</legend>
      <FieldSelect label={t('pe.field')} value={c.field} fields={fieldsOf(dir, entity)} readOnly={readOnly} onChange={(f) => put({ field: f })} />
      <Row label={t('pe.op')}>
        <select className="input" value={c.op ?? 'eq'} disabled={readOnly} onChange={(e) => put({ op: e.target.value })}>
          {ops.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </Row>
      {'value' in c && (
        <Row label={t('pe.value')}>
          <input className="input" value={showValue(c.value)} readOnly={readOnly} onChange={(e) => put({ value: parseValue(e.target.value) })} />
        </Row>
      )}
    </fieldset>
  );
}

/** A stage of an active pipeline, grouped by pipeline; 0 is the empty choice. */
export function StageSelect({ value, dir, readOnly, empty, onChange }: { value: number; dir: Directory; readOnly: boolean; empty: string; onChange: (id: number) => void }) {
  return (
    <select className="input" value={String(value)} disabled={readOnly} onChange={(e) => onChange(Number(e.target.value))}>
      <option value="0">{empty}</option>
      {dir.pipelines
        .filter((pl) => !pl.archived)
        .map((pl) => (
          <optgroup key={pl.id} label={pl.name}>
            {pl.stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </optgroup>
        ))}
    </select>
  );
}

/** The operators a schedule's filter takes: no write is looked at, so no "changed". */
export const FILTER_OPS = OPS.filter((o) => o !== 'changed');

function Condition({ step, def, dir, readOnly, set }: Props) {
  if (Array.isArray(step.cases)) return <JsonField label={t('pe.cases')} value={step.cases} readOnly={readOnly} onChange={(v) => set({ cases: v })} />;
  return <ConditionEditor value={step.condition} entity={def.entity} dir={dir} readOnly={readOnly} legend={t('pe.condition')} onChange={(v) => set({ condition: v })} />;
}

function Wait({ step, def, dir, readOnly, set }: Props) {
  const mode = step.until_field !== undefined ? 'until_field' : step.until_changed !== undefined ? 'until_changed' : 'duration';
  const d = (step.duration ?? { amount: 1, unit: 'days' }) as { amount: number; unit: Unit };
  const drop = ['duration', 'until_field', 'until_changed'];
  return (
    <fieldset className="pe-fieldset">
      <legend>{t('pe.wait')}</legend>
      <select
        className="input"
        aria-label={t('pe.wait')}
        value={mode}
        disabled={readOnly}
        onChange={(e) => {
          const m = e.target.value;
          const first = fieldsOf(dir, def.entity)[0] ?? '';
          set(m === 'duration' ? { duration: { amount: 1, unit: 'days' } } : { [m]: first }, drop);
        }}
      >
        <option value="duration">{t('pe.wait.duration')}</option>
        <option value="until_field">{t('pe.wait.until_field')}</option>
        <option value="until_changed">{t('pe.wait.until_changed')}</option>
      </select>
      {mode === 'duration' ? (
        <DurationInput value={d} readOnly={readOnly} onChange={(v) => set({ duration: v })} />
      ) : (
        <FieldSelect label={t('pe.field')} value={String(step[mode] ?? '')} fields={fieldsOf(dir, def.entity)} readOnly={readOnly} onChange={(f) => set({ [mode]: f })} />
      )}
    </fieldset>
  );
}

/** The members of the selected step's kind. */
export function KindFields(p: Props) {
  const { step, def, dir, readOnly, set } = p;
  switch (step.kind) {
    case 'task':
      return (
        <>
          <Row label={t('pe.responsible')}>
            <PersonPicker id={`pe-${step.id}-responsible`} value={step.responsible as Person} dir={dir} disabled={readOnly} onChange={(v) => set({ responsible: v })} />
          </Row>
          <Text {...p} label={t('pe.text')} name="text" />
        </>
      );
    case 'approval':
      return (
        <Row label={t('pe.approver')}>
          <PersonPicker id={`pe-${step.id}-approver`} value={step.approver as Person} dir={dir} disabled={readOnly} onChange={(v) => set({ approver: v })} />
        </Row>
      );
    case 'condition':
      return <Condition {...p} />;
    case 'wait':
      return <Wait {...p} />;
    case 'set_field':
      return (
        <>
          <FieldSelect label={t('pe.field')} value={String(step.field ?? '')} fields={fieldsOf(dir, def.entity)} readOnly={readOnly} onChange={(f) => set({ field: f })} />
          <Row label={t('pe.value')}>
            <input className="input" value={showValue(step.value)} readOnly={readOnly} onChange={(e) => set({ value: parseValue(e.target.value) })} />
          </Row>
        </>
      );
    case 'move_stage':
      return (
        <Row label={t('pe.stage')}>
          <StageSelect value={Number(step.stage_id ?? 0)} dir={dir} readOnly={readOnly} empty={t('pe.chooseStage')} onChange={(id) => set({ stage_id: id })} />
        </Row>
      );
    case 'notify':
      return (
        <>
          <People {...p} />
          <Text {...p} label={t('pe.text')} name="text" />
        </>
      );
    case 'email':
      return (
        <>
          <People {...p} />
          <Text {...p} label={t('pe.subject')} name="subject" rows={1} />
          <Text {...p} label={t('pe.text')} name="text" />
        </>
      );
    case 'create_record':
      return (
        <>
          <EntitySelect label={t('pe.entity')} value={String(step.entity ?? 'activities')} readOnly={readOnly} onChange={(en) => set({ entity: en })} />
          <JsonField label={t('pe.values')} value={step.values} readOnly={readOnly} onChange={(v) => set({ values: v })} />
        </>
      );
    case 'webhook':
      return (
        <>
          <Text {...p} label={t('pe.url')} name="url" rows={1} />
          <Row label={t('pe.method')}>
            <select className="input" value={String(step.method ?? 'POST')} disabled={readOnly} onChange={(e) => set({ method: e.target.value })}>
              {['POST', 'PUT', 'PATCH', 'GET', 'DELETE'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Row>
          <Text {...p} label={t('pe.body')} name="body" />
        </>
      );
    case 'start_process':
      return (
        <Row label={t('pe.template')}>
          <select className="input" value={String(step.template ?? '')} disabled={readOnly} onChange={(e) => set({ template: e.target.value })}>
            <option value="">{t('pe.chooseTemplate')}</option>
            {dir.templates
              .filter((x) => x.key !== def.key)
              .map((x) => (
                <option key={x.key} value={x.key}>
                  {x.name}
                </option>
              ))}
          </select>
        </Row>
      );
    default:
      return null;
  }
}

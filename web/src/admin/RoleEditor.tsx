import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  customFields,
  roles as rolesApi,
  type Action,
  type CustomFieldDef,
  type EntityName,
  type FieldRule,
  type FieldRules,
  type Perms,
  type Role,
  type RoleList,
  type Scope,
} from '../api';
import { companyConfig } from '../companies/config';
import { contactConfig } from '../contacts/config';
import { ErrorBanner } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t, type Key } from '../i18n';
import { navigate } from '../router';
import { messagesFor, splitErrors } from './fieldErrors';

interface Props {
  list: RoleList;
  role: Role | null;
  copyFrom: Role | null;
}

/** The built-in fields of each entity, as the record forms know them (labels included). */
const ENTITY_FIELDS: Record<string, { name: string; label: Key }[]> = {
  companies: companyConfig.fields,
  contacts: contactConfig.fields,
};

export const entityLabel = (e: string) => (e === 'companies' || e === 'contacts' ? t(`entity.${e}`) : e);
const actionLabel = (a: Action) => t(`action.${a}` as Key);
const scopeLabel = (s: Scope) => t(`scope.${s}` as Key);

function emptyPerms(list: RoleList): Perms {
  const out: Perms = {};
  for (const e of list.entities) out[e] = Object.fromEntries(list.actions.map((a) => [a, 'none'])) as Record<Action, Scope>;
  return out;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/**
 * A role: name, "require 2FA", the rights matrix (entity × action, each a scope) and the field
 * rules per entity. The administrator role is shown read-only.
 */
export function RoleEditor({ list, role, copyFrom }: Props) {
  const toast = useToast();
  const base = role ?? copyFrom;
  const [name, setName] = useState(role ? role.name : copyFrom ? t('roles.copyName', { name: copyFrom.name }) : '');
  const [require2fa, setRequire2fa] = useState(base?.require_2fa ?? false);
  const [perms, setPerms] = useState<Perms>(() => ({ ...emptyPerms(list), ...(base ? clone(base.perms) : {}) }));
  const [fields, setFields] = useState<FieldRules>(() => (base ? clone(base.fields ?? {}) : {}));
  const [errors, setErrors] = useState<ReturnType<typeof splitErrors>['errors']>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const locked = !!role?.is_admin;
  const title = role ? (locked ? role.name : t('roles.editTitle', { name: role.name })) : t('roles.new');
  useTitle(title);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving || locked) return;
    setSaving(true);
    setBanner(null);
    const body = { name: name.trim(), require_2fa: require2fa, perms, fields };
    try {
      const saved = role ? await rolesApi.update(role.id, body) : await rolesApi.create(body);
      toast(role ? t('roles.saved') : t('roles.created'));
      navigate(role ? '/admin/roles' : `/admin/roles/${saved.id}`);
    } catch (err) {
      const s = splitErrors(err, ['name', 'require_2fa', 'perms', 'fields']);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }

  const m = (f: string) => messagesFor(errors, f);
  return (
    <section className="page">
      <nav className="breadcrumbs">
        <a href="#/admin/roles">{t('roles.title')}</a>
      </nav>
      <header className="page-header">
        <h1>{title}</h1>
      </header>
      {locked && <div className="banner banner-info">{t('roles.adminLocked')}</div>}
      <form
        className="record-form role-editor"
        noValidate
        aria-label={title}
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !e.defaultPrevented) {
            e.preventDefault();
            navigate('/admin/roles');
          }
        }}
      >
        {banner && <ErrorBanner message={banner} />}
        <fieldset className="plain-fieldset" disabled={locked}>
          <section className="card form-card">
            <div className="form-grid">
              <FormField name="name" label={t('field.name')} required errors={m('name')}>
                <input
                  {...inputAria('name', m('name').length > 0)}
                  name="name"
                  className="input"
                  autoComplete="off"
                  autoFocus={!locked}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                />
              </FormField>
              <FormField name="require_2fa" label={t('roles.security')} errors={m('require_2fa')} group>
                <label className="check">
                  <input type="checkbox" name="require_2fa" checked={require2fa} onChange={(e) => setRequire2fa(e.target.checked)} />
                  <span>{t('roles.require2faLong')}</span>
                </label>
              </FormField>
              {!role && (
                <FormField name="copy" label={t('roles.startFrom')}>
                  <select
                    {...inputAria('copy', false)}
                    className="input"
                    value={copyFrom ? String(copyFrom.id) : ''}
                    onChange={(e) => navigate('/admin/roles/new', e.target.value ? { copy: e.target.value } : undefined)}
                  >
                    <option value="">{t('roles.startEmpty')}</option>
                    {list.data.map((r) => (
                      <option key={r.id} value={String(r.id)}>
                        {r.name}
                      </option>
                    ))}
                  </select>
                </FormField>
              )}
            </div>
          </section>
          <RightsMatrix list={list} perms={perms} errors={errors} onChange={setPerms} />
          {list.entities
            .filter((e) => ENTITY_FIELDS[e])
            .map((e) => (
              <FieldRulesCard
                key={e}
                entity={e as EntityName}
                rules={fields[e] ?? {}}
                errors={errors}
                onChange={(r) => setFields((f) => ({ ...f, [e]: r }))}
              />
            ))}
        </fieldset>
        <div className="form-actions sticky">
          {locked ? (
            <a className="btn" href="#/admin/roles">
              {t('common.backToList')}
            </a>
          ) : (
            <>
              <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
              <a className="btn" href="#/admin/roles">
                {t('common.cancel')}
              </a>
              <button type="submit" className="btn btn-primary" disabled={saving}>
                {saving ? t('common.saving') : role ? t('common.save') : t('roles.create')}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}

interface MatrixProps {
  list: RoleList;
  perms: Perms;
  errors: { field: string; message: string }[];
  onChange: (p: Perms) => void;
}

/**
 * Entity × action, each cell a scope select. Arrow keys move between cells (a grid); letters,
 * Enter, Space or Alt+↓ choose a cell's scope, as in any select.
 */
function RightsMatrix({ list, perms, errors, onChange }: MatrixProps) {
  const ref = useRef<HTMLTableElement>(null);

  function move(e: KeyboardEvent<HTMLSelectElement>, row: number, col: number) {
    const d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[e.key];
    if (!d || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const r = Math.max(0, Math.min(list.entities.length - 1, row + d[0]));
    const c = Math.max(0, Math.min(list.actions.length - 1, col + d[1]));
    ref.current?.querySelector<HTMLSelectElement>(`select[data-cell="${r}-${c}"]`)?.focus();
  }

  const cellErrors = errors.filter((x) => x.field.startsWith('perms'));
  return (
    <section className="card form-card" aria-labelledby="matrix-title">
      <h2 className="card-title" id="matrix-title">
        {t('roles.matrix')}
      </h2>
      <p className="muted small" id="matrix-hint">
        {t('roles.matrixHint')}
      </p>
      {cellErrors.length > 0 && (
        <div className="field-error" data-field="perms">
          {cellErrors.map((x) => `${x.field} ${x.message}`).join('; ')}
        </div>
      )}
      <div className="table-wrap">
        <table className="data-table matrix" ref={ref} aria-describedby="matrix-hint">
          <caption className="sr-only">{t('roles.matrix')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roles.entity')}</th>
              {list.actions.map((a) => (
                <th scope="col" key={a}>
                  {actionLabel(a)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.entities.map((ent, row) => (
              <tr key={ent} data-entity={ent}>
                <th scope="row">{entityLabel(ent)}</th>
                {list.actions.map((a, col) => {
                  const v = perms[ent]?.[a] ?? 'none';
                  return (
                    <td key={a} className={`scope-${v}`}>
                      <select
                        className="input input-cell"
                        data-cell={`${row}-${col}`}
                        data-action={a}
                        aria-label={`${entityLabel(ent)}: ${actionLabel(a)}`}
                        value={v}
                        onKeyDown={(e) => move(e, row, col)}
                        onChange={(e) => onChange({ ...perms, [ent]: { ...perms[ent], [a]: e.target.value as Scope } })}
                      >
                        {list.scopes.map((s) => (
                          <option key={s} value={s}>
                            {scopeLabel(s)}
                          </option>
                        ))}
                      </select>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface RulesProps {
  entity: EntityName;
  rules: Record<string, FieldRule | 'visible'>;
  errors: { field: string; message: string }[];
  onChange: (r: Record<string, FieldRule>) => void;
}

/** Field rules of one entity: pick a field, make it hidden or read-only; remove a rule to show it again. */
function FieldRulesCard({ entity, rules, errors, onChange }: RulesProps) {
  const [defs, setDefs] = useState<CustomFieldDef[]>([]);
  const [pick, setPick] = useState('');
  const [rule, setRule] = useState<FieldRule>('hidden');
  useEffect(() => {
    let live = true;
    customFields
      .list(entity)
      .then((d) => live && setDefs(d))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [entity]);

  const options = [
    ...ENTITY_FIELDS[entity].map((f) => ({ name: f.name, label: t(f.label) })),
    ...defs.map((d) => ({ name: `custom.${d.name}`, label: d.label })),
  ];
  const labelOf = (name: string) => options.find((o) => o.name === name)?.label ?? name;
  const active = Object.entries(rules).filter(([, r]) => r !== 'visible') as [string, FieldRule][];
  const free = options.filter((o) => !active.some(([n]) => n === o.name));
  const set = (name: string, r: FieldRule | null) => {
    const next: Record<string, FieldRule> = Object.fromEntries(active);
    if (r) next[name] = r;
    else delete next[name];
    onChange(next);
  };
  const errs = errors.filter((x) => x.field.startsWith(`fields.${entity}`));
  const pickId = `rule-field-${entity}`;
  const ruleId = `rule-kind-${entity}`;
  const titleId = `rules-${entity}`;
  return (
    <section className="card form-card field-rules" data-entity={entity} aria-labelledby={titleId}>
      <h2 className="card-title" id={titleId}>
        {t('roles.fieldRules', { entity: entityLabel(entity) })}
      </h2>
      {errs.length > 0 && (
        <div className="field-error" data-field={`fields.${entity}`}>
          {errs.map((x) => `${x.field} ${x.message}`).join('; ')}
        </div>
      )}
      {active.length === 0 ? (
        <p className="muted">{t('roles.noRules')}</p>
      ) : (
        <ul className="mini-list rule-list">
          {active.map(([name, r]) => (
            <li key={name} className="rule-row" data-field={name}>
              <span className="rule-name">{labelOf(name)}</span>
              <select
                className="input input-sm"
                aria-label={t('roles.ruleFor', { field: labelOf(name) })}
                value={r}
                onChange={(e) => set(name, e.target.value as FieldRule)}
              >
                <option value="hidden">{t('rule.hidden')}</option>
                <option value="readonly">{t('rule.readonly')}</option>
              </select>
              <button type="button" className="icon-btn" aria-label={t('roles.removeRule', { field: labelOf(name) })} onClick={() => set(name, null)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {free.length > 0 && (
        <div className="rule-add">
          <div className="field-inline">
            <label className="field-inline-label" htmlFor={pickId}>
              {t('roles.field')}
            </label>
            <select id={pickId} className="input" value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">{t('form.choose')}</option>
              {free.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field-inline">
            <label className="field-inline-label" htmlFor={ruleId}>
              {t('roles.rule')}
            </label>
            <select id={ruleId} className="input" value={rule} onChange={(e) => setRule(e.target.value as FieldRule)}>
              <option value="hidden">{t('rule.hidden')}</option>
              <option value="readonly">{t('rule.readonly')}</option>
            </select>
          </div>
          <button
            type="button"
            className="btn"
            disabled={!pick}
            aria-label={t('roles.addRuleFor', { entity: entityLabel(entity) })}
            onClick={() => {
              set(pick, rule);
              setPick('');
            }}
          >
            + {t('roles.addRule')}
          </button>
        </div>
      )}
    </section>
  );
}

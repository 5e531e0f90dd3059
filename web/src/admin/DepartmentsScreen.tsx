import { useEffect, useState, type FormEvent } from 'react';
import { DEPT_KINDS, departments as deptApi, workCalendars, type Department, type DeptKind, type WorkCalendar } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { subtreeIds, treeOrder, useOrg, userLabel } from '../common/useOrg';
import { t, type Key } from '../i18n';
import { messagesFor, splitErrors } from './fieldErrors';

type Editing = { dept: Department } | { parent: Department | null } | null;

const kindLabel = (k: DeptKind) => t(`dept.kind.${k}` as Key);

/** The kind a new child of `parent` most likely has: one level further down. */
function childKind(parent: Department | null): DeptKind {
  if (!parent) return 'company';
  const i = DEPT_KINDS.indexOf(parent.kind);
  return DEPT_KINDS[Math.min(i + 1, DEPT_KINDS.length - 1)];
}

/** #/admin/departments: the organisation as a tree; add, rename, move, set heads, delete empty ones. */
export function DepartmentsScreen() {
  const org = useOrg();
  const toast = useToast();
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Department | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useTitle(t('dept.title'));

  const rows = treeOrder(org.depts);
  const hasKids = (id: number) => org.depts.some((d) => d.parent_id === id);
  // A row is shown when none of its ancestors is collapsed.
  const visible = rows.filter(({ dept }) => {
    for (let p = dept.parent_id; p !== null; ) {
      if (collapsed.has(p)) return false;
      p = org.depts.find((d) => d.id === p)?.parent_id ?? null;
    }
    return true;
  });
  const headNames = (d: Department) =>
    d.heads.map((id) => {
      const u = org.users.find((x) => x.id === id);
      return u ? u.name || u.email : `#${id}`;
    });

  function toggle(id: number) {
    setCollapsed((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      await deptApi.remove(deleting.id);
      toast(t('dept.deleted'));
      setDeleting(null);
      org.reload();
    } catch (e) {
      setDeleting(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('dept.title')}</h1>
          <p className="subtitle">{t('dept.subtitle')}</p>
        </div>
      </header>
      {(error ?? org.error) !== null && <ErrorBanner message={errorText(error ?? org.error)} onDismiss={() => setError(null)} />}
      {editing !== null && (
        <DeptEditor
          key={'dept' in editing ? `e${editing.dept.id}` : `n${editing.parent?.id ?? 0}`}
          editing={editing}
          org={org}
          onDone={(saved) => {
            if (saved) {
              toast('dept' in editing ? t('dept.saved') : t('dept.created'));
              org.reload();
            }
            setEditing(null);
          }}
        />
      )}
      {!org.loaded ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="data-table dept-tree">
              <caption className="sr-only">{t('dept.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.name')}</th>
                  <th scope="col">{t('dept.kind')}</th>
                  <th scope="col">{t('dept.members')}</th>
                  <th scope="col">{t('dept.heads')}</th>
                  <th scope="col" className="col-actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {visible.map(({ dept: d, depth }) => {
                  const kids = hasKids(d.id);
                  return (
                    <tr key={d.id} data-dept={d.name} data-depth={depth}>
                      <td>
                        <span className="tree-cell" style={{ paddingLeft: `${depth * 22}px` }}>
                          {kids ? (
                            <button
                              type="button"
                              className="icon-btn tree-toggle"
                              aria-expanded={!collapsed.has(d.id)}
                              aria-label={(collapsed.has(d.id) ? t('dept.expand') : t('dept.collapse')) + ` ${d.name}`}
                              onClick={() => toggle(d.id)}
                            >
                              {collapsed.has(d.id) ? '▸' : '▾'}
                            </button>
                          ) : (
                            <span className="tree-spacer" aria-hidden="true" />
                          )}
                          <strong>{d.name}</strong>
                        </span>
                      </td>
                      <td>
                        <span className="type-pill">{kindLabel(d.kind)}</span>
                      </td>
                      <td className="members">{d.members}</td>
                      <td className="muted">{headNames(d).join(', ')}</td>
                      <td className="col-actions nowrap">
                        <button
                          type="button"
                          className="btn btn-sm"
                          aria-label={t('dept.addChildOf', { name: d.name })}
                          onClick={() => setEditing({ parent: d })}
                        >
                          + {t('dept.addChild')}
                        </button>{' '}
                        <button
                          type="button"
                          className="btn btn-sm"
                          aria-label={`${t('common.edit')} ${d.name}`}
                          onClick={() => setEditing({ dept: d })}
                        >
                          {t('common.edit')}
                        </button>
                        {d.members === 0 && !kids && d.parent_id !== null && (
                          <>
                            {' '}
                            <button
                              type="button"
                              className="btn btn-sm btn-danger-ghost"
                              aria-label={`${t('common.delete')} ${d.name}`}
                              onClick={() => setDeleting(d)}
                            >
                              {t('common.delete')}
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('dept.confirmDeleteTitle')}
          message={t('dept.confirmDelete', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          danger
          busy={busy}
          onConfirm={confirmDelete}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

interface EditorProps {
  editing: NonNullable<Editing>;
  org: ReturnType<typeof useOrg>;
  onDone: (saved: boolean) => void;
}

/** Add a child department, or rename, re-kind, move and set the heads of one. */
function DeptEditor({ editing, org, onDone }: EditorProps) {
  const dept = 'dept' in editing ? editing.dept : null;
  const parent0 = 'dept' in editing ? editing.dept.parent_id : (editing.parent?.id ?? null);
  const [name, setName] = useState(dept?.name ?? '');
  const [kind, setKind] = useState<DeptKind>(dept?.kind ?? childKind('parent' in editing ? editing.parent : null));
  const [parent, setParent] = useState(parent0 === null ? '' : String(parent0));
  const [heads, setHeads] = useState<number[]>(dept?.heads ?? []);
  const [calendar, setCalendar] = useState(dept?.calendar_id ? String(dept.calendar_id) : '');
  const [calendars, setCalendars] = useState<WorkCalendar[]>([]);
  const [errors, setErrors] = useState<ReturnType<typeof splitErrors>['errors']>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // A department cannot move under itself or anything below it.
  const excluded = dept ? subtreeIds(org.depts, dept.id) : new Set<number>();
  useEffect(() => {
    workCalendars
      .list()
      .then(setCalendars)
      .catch(() => setCalendars([]));
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setBanner(null);
    const parent_id = parent ? Number(parent) : null;
    const calendar_id = calendar ? Number(calendar) : null;
    try {
      if (dept) {
        const patch: Parameters<typeof deptApi.update>[1] = {};
        if (name.trim() !== dept.name) patch.name = name.trim();
        if (kind !== dept.kind) patch.kind = kind;
        if (parent_id !== dept.parent_id) patch.parent_id = parent_id;
        if (JSON.stringify([...heads].sort()) !== JSON.stringify([...dept.heads].sort())) patch.heads = heads;
        if (calendar_id !== dept.calendar_id) patch.calendar_id = calendar_id;
        if (Object.keys(patch).length) await deptApi.update(dept.id, patch);
      } else {
        await deptApi.create({ name: name.trim(), kind, parent_id, calendar_id });
      }
      onDone(true);
    } catch (err) {
      const s = splitErrors(err, ['name', 'kind', 'parent_id', 'heads', 'calendar_id']);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }

  const m = (f: string) => messagesFor(errors, f);
  const parentName = 'parent' in editing ? editing.parent?.name : undefined;
  const title = dept ? t('dept.editTitle', { name: dept.name }) : parentName ? t('dept.addTitleUnder', { name: parentName }) : t('dept.addTitle');
  return (
    <form
      className="card form-card"
      noValidate
      aria-label={title}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onDone(false);
        }
      }}
    >
      <h2 className="card-title">{title}</h2>
      {banner && <ErrorBanner message={banner} />}
      <div className="form-grid">
        <FormField name="name" label={t('field.name')} required errors={m('name')}>
          <input
            {...inputAria('name', m('name').length > 0)}
            name="name"
            className="input"
            autoFocus
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </FormField>
        <FormField name="kind" label={t('dept.kind')} errors={m('kind')}>
          <select {...inputAria('kind', m('kind').length > 0)} name="kind" className="input" value={kind} onChange={(e) => setKind(e.target.value as DeptKind)}>
            {DEPT_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField name="parent_id" label={t('dept.parent')} errors={m('parent_id')} hint={dept ? t('dept.parentHint') : undefined}>
          <select
            {...inputAria('parent_id', m('parent_id').length > 0, !!dept)}
            name="parent_id"
            className="input"
            value={parent}
            onChange={(e) => setParent(e.target.value)}
          >
            <option value="">{t('dept.noParent')}</option>
            {treeOrder(org.depts)
              .filter(({ dept: d }) => !excluded.has(d.id))
              .map(({ dept: d, depth }) => (
                <option key={d.id} value={String(d.id)}>
                  {'\u00a0\u00a0'.repeat(depth)}
                  {d.name}
                </option>
              ))}
          </select>
        </FormField>
        <FormField name="calendar_id" label={t('workcal.deptCalendar')} errors={m('calendar_id')} hint={t('workcal.deptCalendarHint')}>
          <select
            {...inputAria('calendar_id', m('calendar_id').length > 0, true)}
            name="calendar_id"
            className="input"
            value={calendar}
            onChange={(e) => setCalendar(e.target.value)}
          >
            <option value="">{t('workcal.deptInherit')}</option>
            {calendars.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </FormField>
        {dept && (
          <FormField name="heads" label={t('dept.heads')} errors={m('heads')} group wide>
            <div className="check-list">
              {org.users
                .filter((u) => u.active !== false || heads.includes(u.id))
                .map((u) => (
                  <label className="check" key={u.id}>
                    <input
                      type="checkbox"
                      name="heads"
                      value={String(u.id)}
                      checked={heads.includes(u.id)}
                      onChange={(e) => setHeads((hs) => (e.target.checked ? [...hs, u.id] : hs.filter((x) => x !== u.id)))}
                    />
                    <span>{userLabel(u)}</span>
                  </label>
                ))}
            </div>
          </FormField>
        )}
      </div>
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : dept ? t('common.save') : t('dept.add')}
        </button>
      </div>
    </form>
  );
}

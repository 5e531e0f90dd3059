import { useEffect, useState, type FormEvent } from 'react';
import { staff, roles as rolesApi, type Role, type User } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { treeOrder, useOrg } from '../common/useOrg';
import { t } from '../i18n';
import { messagesFor, splitErrors } from './fieldErrors';

/** #/admin/users: the users with their department, role and state; add, edit, (de)activate. */
export function UsersScreen() {
  const org = useOrg();
  const toast = useToast();
  const [roleList, setRoleList] = useState<Role[]>([]);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [toggling, setToggling] = useState<User | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useTitle(t('users.title'));

  useEffect(() => {
    rolesApi
      .list()
      .then((r) => setRoleList(r.data))
      .catch((e) => setError(e));
  }, []);

  const deptName = (id: number | null | undefined) => org.depts.find((d) => d.id === id)?.name ?? t('record.none');
  const roleName = (id: number | null | undefined) => roleList.find((r) => r.id === id)?.name ?? t('record.none');

  async function toggle() {
    if (!toggling) return;
    setBusy(true);
    try {
      const active = toggling.active === false;
      await staff.update(toggling.id, { active });
      toast(active ? t('users.reactivated') : t('users.deactivated'));
      setToggling(null);
      org.reload();
    } catch (e) {
      setToggling(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('users.title')}</h1>
          <p className="subtitle">{t('users.subtitle')}</p>
        </div>
        {editing === null && (
          <div className="page-actions">
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              + {t('users.add')}
            </button>
          </div>
        )}
      </header>
      {(error ?? org.error) !== null && <ErrorBanner message={errorText(error ?? org.error)} onDismiss={() => setError(null)} />}
      {editing !== null && (
        <UserEditor
          key={editing === 'new' ? 'new' : editing.id}
          user={editing === 'new' ? null : editing}
          roles={roleList}
          org={org}
          onDone={(saved) => {
            if (saved) {
              toast(editing === 'new' ? t('users.created') : t('users.saved'));
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
            <table className="data-table users-table">
              <caption className="sr-only">{t('users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.name')}</th>
                  <th scope="col">{t('field.email')}</th>
                  <th scope="col">{t('users.department')}</th>
                  <th scope="col">{t('users.role')}</th>
                  <th scope="col">{t('users.state')}</th>
                  <th scope="col" className="col-actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {org.users.map((u) => (
                  <tr key={u.id} data-email={u.email} className={u.active === false ? 'inactive' : undefined}>
                    <td>
                      <strong>{u.name}</strong>
                    </td>
                    <td>{u.email}</td>
                    <td>{deptName(u.department_id)}</td>
                    <td>{roleName(u.role_id)}</td>
                    <td>
                      <span className={u.active === false ? 'state-pill off' : 'state-pill on'}>
                        {u.active === false ? t('users.inactive') : t('users.active')}
                      </span>
                    </td>
                    <td className="col-actions nowrap">
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => setEditing(u)}
                        aria-label={t('users.editOne', { name: u.name || u.email })}
                      >
                        {t('common.edit')}
                      </button>{' '}
                      <button
                        type="button"
                        className={u.active === false ? 'btn btn-sm' : 'btn btn-sm btn-danger-ghost'}
                        onClick={() => setToggling(u)}
                        aria-label={`${u.active === false ? t('users.reactivate') : t('users.deactivate')} ${u.name || u.email}`}
                      >
                        {u.active === false ? t('users.reactivate') : t('users.deactivate')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {toggling && (
        <ConfirmDialog
          title={toggling.active === false ? t('users.confirmReactivateTitle') : t('users.confirmDeactivateTitle')}
          message={
            toggling.active === false
              ? t('users.confirmReactivate', { name: toggling.name || toggling.email })
              : t('users.confirmDeactivate', { name: toggling.name || toggling.email })
          }
          confirmLabel={toggling.active === false ? t('users.reactivate') : t('users.deactivate')}
          danger={toggling.active !== false}
          busy={busy}
          onConfirm={toggle}
          onCancel={() => setToggling(null)}
        />
      )}
    </section>
  );
}

interface EditorProps {
  user: User | null;
  roles: Role[];
  org: ReturnType<typeof useOrg>;
  onDone: (saved: boolean) => void;
}

/** Add a user (email, name, first password, department, role) or change name, department and role. */
function UserEditor({ user, roles, org, onDone }: EditorProps) {
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [password, setPassword] = useState('');
  const [dept, setDept] = useState(user?.department_id ? String(user.department_id) : '');
  const defaultRole = roles.find((r) => r.builtin === 'manager')?.id;
  const [role, setRole] = useState(user?.role_id ? String(user.role_id) : defaultRole ? String(defaultRole) : '');
  const [errors, setErrors] = useState<ReturnType<typeof splitErrors>['errors']>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const known = ['email', 'name', 'password', 'department_id', 'role_id'];

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setBanner(null);
    try {
      if (user) {
        const patch: Parameters<typeof staff.update>[1] = {};
        if (name.trim() !== user.name) patch.name = name.trim();
        if (dept && Number(dept) !== user.department_id) patch.department_id = Number(dept);
        if (role && Number(role) !== user.role_id) patch.role_id = Number(role);
        if (Object.keys(patch).length) await staff.update(user.id, patch);
      } else {
        await staff.create({
          email: email.trim(),
          name: name.trim(),
          password,
          ...(dept ? { department_id: Number(dept) } : {}),
          ...(role ? { role_id: Number(role) } : {}),
        });
      }
      onDone(true);
    } catch (err) {
      const s = splitErrors(err, known);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }

  const m = (f: string) => messagesFor(errors, f);
  const title = user ? t('users.editTitle', { name: user.name || user.email }) : t('users.addTitle');
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
        <FormField name="email" label={t('field.email')} required={!user} errors={m('email')}>
          <input
            {...inputAria('email', m('email').length > 0)}
            name="email"
            type="email"
            className="input"
            autoComplete="off"
            autoFocus={!user}
            disabled={!!user}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </FormField>
        <FormField name="name" label={t('field.name')} required errors={m('name')}>
          <input
            {...inputAria('name', m('name').length > 0)}
            name="name"
            className="input"
            autoComplete="off"
            autoFocus={!!user}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </FormField>
        {!user && (
          <FormField name="password" label={t('users.password')} required errors={m('password')} hint={t('users.passwordHint')}>
            <input
              {...inputAria('password', m('password').length > 0, true)}
              name="password"
              type="password"
              className="input"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </FormField>
        )}
        <FormField name="department_id" label={t('users.department')} errors={m('department_id')}>
          <select
            {...inputAria('department_id', m('department_id').length > 0)}
            name="department_id"
            className="input"
            value={dept}
            onChange={(e) => setDept(e.target.value)}
          >
            <option value="">{t('form.choose')}</option>
            {treeOrder(org.depts).map(({ dept: d, depth }) => (
              <option key={d.id} value={String(d.id)}>
                {'\u00a0\u00a0'.repeat(depth)}
                {d.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField name="role_id" label={t('users.role')} errors={m('role_id')}>
          <select {...inputAria('role_id', m('role_id').length > 0)} name="role_id" className="input" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="">{t('form.choose')}</option>
            {roles.map((r) => (
              <option key={r.id} value={String(r.id)}>
                {r.name}
              </option>
            ))}
          </select>
        </FormField>
      </div>
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : user ? t('common.save') : t('users.add')}
        </button>
      </div>
    </form>
  );
}

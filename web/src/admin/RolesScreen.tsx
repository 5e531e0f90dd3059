import { useEffect, useState } from 'react';
import { roles as rolesApi, type Role, type RoleList } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { RoleEditor } from './RoleEditor';

interface Props {
  path: string[];
  query: URLSearchParams;
}

/** #/admin/roles (the list), #/admin/roles/new?copy=ID, #/admin/roles/ID (the editor). */
export function RolesScreen({ path, query }: Props) {
  const sub = path[2];
  const [list, setList] = useState<RoleList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    rolesApi
      .list()
      .then((l) => live && setList(l))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [tick, sub]);

  if (error !== null && !list) {
    return (
      <section className="page">
        <ErrorBanner message={errorText(error)} />
      </section>
    );
  }
  if (!list) {
    return (
      <section className="page">
        <div className="card placeholder">{t('common.loading')}</div>
      </section>
    );
  }
  if (sub === 'new') {
    const copy = Number(query.get('copy'));
    return <RoleEditor key={`new${copy}`} list={list} role={null} copyFrom={list.data.find((r) => r.id === copy) ?? null} />;
  }
  if (sub) {
    const role = list.data.find((r) => String(r.id) === sub);
    if (!role) {
      return (
        <section className="page">
          <ErrorBanner message={t('roles.notFound')}>
            <a className="btn btn-sm" href="#/admin/roles">
              {t('common.backToList')}
            </a>
          </ErrorBanner>
        </section>
      );
    }
    return <RoleEditor key={`r${role.id}`} list={list} role={role} copyFrom={null} />;
  }
  return <RoleTable list={list} onChanged={() => setTick((x) => x + 1)} />;
}

function RoleTable({ list, onChanged }: { list: RoleList; onChanged: () => void }) {
  const toast = useToast();
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useTitle(t('roles.title'));

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      await rolesApi.remove(deleting.id);
      toast(t('roles.deleted'));
      setDeleting(null);
      onChanged();
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
          <h1>{t('roles.title')}</h1>
          <p className="subtitle">{t('roles.subtitle')}</p>
        </div>
        <div className="page-actions">
          <a className="btn btn-primary" href="#/admin/roles/new">
            + {t('roles.new')}
          </a>
        </div>
      </header>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      <div className="card table-card">
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('roles.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.name')}</th>
                <th scope="col">{t('roles.kind')}</th>
                <th scope="col">{t('roles.users')}</th>
                <th scope="col">{t('roles.require2fa')}</th>
                <th scope="col" className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id} data-role={r.name}>
                  <td>
                    <a href={`#/admin/roles/${r.id}`}>
                      <strong>{r.name}</strong>
                    </a>
                  </td>
                  <td>
                    <span className="type-pill">{r.is_admin ? t('roles.admin') : r.builtin ? t('roles.builtin') : t('roles.custom')}</span>
                  </td>
                  <td>{r.users}</td>
                  <td>{r.require_2fa ? t('common.yes') : t('common.no')}</td>
                  <td className="col-actions nowrap">
                    <a className="btn btn-sm" href={`#/admin/roles/${r.id}`} aria-label={`${r.is_admin ? t('roles.view') : t('common.edit')} ${r.name}`}>
                      {r.is_admin ? t('roles.view') : t('common.edit')}
                    </a>{' '}
                    <a className="btn btn-sm" href={`#/admin/roles/new?copy=${r.id}`} aria-label={t('roles.copyOf', { name: r.name })}>
                      {t('roles.copy')}
                    </a>
                    {!r.builtin && r.users === 0 && (
                      <>
                        {' '}
                        <button
                          type="button"
                          className="btn btn-sm btn-danger-ghost"
                          aria-label={`${t('common.delete')} ${r.name}`}
                          onClick={() => setDeleting(r)}
                        >
                          {t('common.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {deleting && (
        <ConfirmDialog
          title={t('roles.confirmDeleteTitle')}
          message={t('roles.confirmDelete', { name: deleting.name })}
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

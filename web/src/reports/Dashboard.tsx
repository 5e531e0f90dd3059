import { useEffect, useState } from 'react';
import { currentUser, roles as rolesApi, type Role } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { dashboard, moved, resized, sizeOf, type DashboardState, type Size } from './dashboardApi';
import { ReportsTabs } from './ReportsTabs';
import { Widget } from './Widget';

/**
 * #/reports/dashboard: the reports the user pinned, as a grid of charts laid out as saved (order and
 * each widget's size); Refresh runs them all again. Until the user changes it, it is their role's
 * default; "Reset to my role's default" goes back to it. An administrator can make the dashboard in
 * view a role's default.
 */
export function Dashboard() {
  useTitle(t('rw.dashboard'));
  const toast = useToast();
  const [state, setState] = useState<DashboardState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    dashboard
      .get(ctl.signal)
      .then(setState)
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setError(e));
    return () => ctl.abort();
  }, []);
  const save = (ids: number[], layout = state?.layout ?? {}) => {
    const was = state;
    setState({ report_ids: ids, layout, updated_at: state?.updated_at ?? null, source: 'own' });
    dashboard
      .put(ids, layout)
      .then(setState)
      .catch((e) => {
        setState(was);
        setError(e);
      });
  };
  const reset = () =>
    dashboard
      .reset()
      .then((d) => {
        setState(d);
        toast(t('rw.resetDone'));
      })
      .catch(setError);
  const ids = state?.report_ids ?? null;
  return (
    <section className="page page-wide">
      <header className="page-header">
        <h1>{t('rw.title')}</h1>
        <div className="page-actions">
          {state?.source === 'own' && (
            <button type="button" className="btn" onClick={reset}>
              {t('rw.resetToRole')}
            </button>
          )}
          <button type="button" className="btn" onClick={() => setTick((x) => x + 1)} disabled={!ids?.length}>
            {t('rw.refresh')}
          </button>
        </div>
      </header>
      <ReportsTabs current="dashboard" />
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {state?.source === 'role' && <p className="muted">{t('rw.roleDefaultNote')}</p>}
      {currentUser()?.is_admin && state && <RoleDefault state={state} onError={setError} />}
      {ids === null || state === null ? (
        error === null && <div className="card placeholder">{t('common.loading')}</div>
      ) : ids.length === 0 ? (
        <div className="card empty-state">
          <p>{t('rw.dashboardEmpty')}</p>
          <a className="btn" href="#/reports">
            {t('rw.library')}
          </a>
        </div>
      ) : (
        <div className="widget-grid">
          {ids.map((id) => (
            <Widget
              key={id}
              id={id}
              tick={tick}
              size={sizeOf(state.layout, id)}
              onUnpin={() => save(ids.filter((x) => x !== id))}
              onMove={(by) => save(moved(ids, id, by))}
              onResize={(size: Size) => save(ids, resized(state.layout, ids, id, size))}
            />
          ))}
        </div>
      )}
    </section>
  );
}

/** Administrators: save the dashboard in view as the default of a role. */
function RoleDefault({ state, onError }: { state: DashboardState; onError: (e: unknown) => void }) {
  const toast = useToast();
  const [roles, setRoles] = useState<Role[]>([]);
  const [roleId, setRoleId] = useState('');
  useEffect(() => {
    rolesApi
      .list()
      .then((r) => setRoles(r.data))
      .catch(onError);
  }, [onError]);
  if (roles.length === 0) return null;
  return (
    <form
      className="role-default"
      onSubmit={(e) => {
        e.preventDefault();
        if (!roleId) return;
        dashboard
          .putRole(Number(roleId), state.report_ids, state.layout)
          .then(() => toast(t('rw.roleDefaultSaved', { role: roles.find((r) => String(r.id) === roleId)?.name ?? roleId })))
          .catch(onError);
      }}
    >
      <label>
        {t('rw.roleDefaultFor')}{' '}
        <select value={roleId} onChange={(e) => setRoleId(e.target.value)}>
          <option value="">{t('rw.chooseRole')}</option>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" className="btn btn-sm" disabled={!roleId}>
        {t('rw.saveAsRoleDefault')}
      </button>
    </form>
  );
}

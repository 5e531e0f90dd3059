import { useCallback, useEffect, useState } from 'react';
import { workCalendars, type WorkCalendar } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { useOrg } from '../common/useOrg';
import { t } from '../i18n';
import { WorkCalendarEditor } from './workcal/WorkCalendarEditor';
import { weekSummary } from './workcal/draft';
import './workcal/workcal.css';

/** #/admin/work-calendars: when the company works; deadlines, SLA clocks and workload count these hours. */
export function WorkCalendarsScreen() {
  const toast = useToast();
  const org = useOrg();
  const [list, setList] = useState<WorkCalendar[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: number | null } | null>(null);
  const [deleting, setDeleting] = useState<WorkCalendar | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('workcal.title'));

  const reload = useCallback(
    () =>
      workCalendars
        .list()
        .then(setList)
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const deptNames = (ids: number[]) => ids.map((id) => org.depts.find((d) => d.id === id)?.name ?? `#${id}`).join(', ');

  async function confirmDelete() {
    if (!deleting) return;
    const c = deleting;
    setDeleting(null);
    setBusy(true);
    setError(null);
    try {
      await workCalendars.remove(c.id);
      toast(t('workcal.deleted'));
      await reload();
    } catch (e) {
      // The default, or one departments use: the server's 409 names them.
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page workcal-screen">
      <header className="page-header">
        <div>
          <h1>{t('workcal.title')}</h1>
          <p className="subtitle">{t('workcal.subtitle')}</p>
        </div>
        <div className="page-actions">
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ id: null })}>
            + {t('workcal.add')}
          </button>
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {editing && (
        <WorkCalendarEditor
          key={editing.id ?? 'new'}
          id={editing.id}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              toast(t('workcal.saved'));
              void reload();
            }
          }}
        />
      )}
      {list === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('workcal.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.name')}</th>
                  <th scope="col">{t('workcal.tz')}</th>
                  <th scope="col">{t('workcal.week')}</th>
                  <th scope="col">{t('workcal.usedBy')}</th>
                  <th scope="col" className="col-actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.id} data-calendar={c.name}>
                    <td>
                      <strong>{c.name}</strong>
                      {c.is_default && <span className="type-pill workcal-default">{t('workcal.default')}</span>}
                    </td>
                    <td>{c.tz}</td>
                    <td className="muted small">{weekSummary(c.week)}</td>
                    <td className="muted">{deptNames(c.departments)}</td>
                    <td className="col-actions nowrap">
                      <button type="button" className="btn btn-sm" aria-label={`${t('common.edit')} ${c.name}`} onClick={() => setEditing({ id: c.id })}>
                        {t('common.edit')}
                      </button>
                      {!c.is_default && (
                        <>
                          {' '}
                          <button
                            type="button"
                            className="btn btn-sm btn-danger-ghost"
                            aria-label={`${t('common.delete')} ${c.name}`}
                            disabled={busy}
                            onClick={() => setDeleting(c)}
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
      )}
      {deleting && (
        <ConfirmDialog
          title={t('workcal.confirmDeleteTitle')}
          message={t('workcal.confirmDelete', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          danger
          busy={busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

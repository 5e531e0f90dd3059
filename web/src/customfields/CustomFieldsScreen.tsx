import { useCallback, useEffect, useState } from 'react';
import { customFields, type CustomFieldDef, type EntityName } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { PlusIcon } from '../common/EntityList';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { href } from '../router';
import { FieldEditor } from './FieldEditor';

interface Props {
  query: URLSearchParams;
  isAdmin: boolean;
}

const ENTITIES: EntityName[] = ['companies', 'contacts', 'deals'];

/** Settings → Custom fields: the definitions per entity; admins add, edit and delete them. */
export function CustomFieldsScreen({ query, isAdmin }: Props) {
  const wanted = query.get('entity');
  const entity: EntityName = ENTITIES.find((e) => e === wanted) ?? 'contacts';
  const toast = useToast();
  const [defs, setDefs] = useState<CustomFieldDef[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<CustomFieldDef | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CustomFieldDef | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('customFields.title'));

  const load = useCallback(() => {
    setError(null);
    customFields
      .list(entity)
      .then((d) => setDefs([...d].sort((a, b) => a.position - b.position || a.id - b.id)))
      .catch((e) => {
        setDefs([]);
        setError(e);
      });
  }, [entity]);

  useEffect(() => {
    setDefs(null);
    setEditing(null);
    load();
  }, [load]);

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      await customFields.remove(deleting.id);
      toast(t('customFields.deleted'));
      setDeleting(null);
      load();
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
          <h1>{t('customFields.title')}</h1>
          <p className="subtitle">{t('customFields.subtitle')}</p>
        </div>
        {isAdmin && editing === null && (
          <div className="page-actions">
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              + {t('customFields.add')}
            </button>
          </div>
        )}
      </header>

      <div className="tabs" role="tablist" aria-label={t('customFields.title')}>
        {ENTITIES.map((e) => (
          <a
            key={e}
            role="tab"
            aria-selected={e === entity}
            className={e === entity ? 'tab active' : 'tab'}
            href={href('/settings/custom-fields', { entity: e })}
          >
            {t(`entity.${e}`)}
          </a>
        ))}
      </div>

      {!isAdmin && <div className="banner banner-info">{t('customFields.adminOnly')}</div>}
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}

      {editing !== null && (
        <FieldEditor
          key={editing === 'new' ? 'new' : editing.id}
          entity={entity}
          def={editing === 'new' ? null : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              toast(editing === 'new' ? t('customFields.created') : t('customFields.saved'));
              load();
            }
          }}
        />
      )}

      {defs === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : defs.length === 0 ? (
        editing === null && (
          <div className="card empty-state">
            <div className="empty-icon" aria-hidden="true">
              <PlusIcon />
            </div>
            <p>{t('customFields.empty', { entity: t(`entity.${entity}.lower`) })}</p>
            {isAdmin && (
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                + {t('customFields.add')}
              </button>
            )}
          </div>
        )
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('customFields.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('customFields.label')}</th>
                  <th scope="col">{t('customFields.name')}</th>
                  <th scope="col">{t('customFields.type')}</th>
                  <th scope="col">{t('customFields.required')}</th>
                  <th scope="col">{t('customFields.options')}</th>
                  {isAdmin && (
                    <th scope="col" className="col-actions">
                      <span className="sr-only">{t('common.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {defs.map((d) => (
                  <tr key={d.id} data-name={d.name}>
                    <td>
                      <strong>{d.label}</strong>
                    </td>
                    <td>
                      <code>{d.name}</code>
                    </td>
                    <td>
                      <span className="type-pill">{t(`type.${d.type}`)}</span>
                    </td>
                    <td>{d.required ? t('common.yes') : t('common.no')}</td>
                    <td className="muted">{(d.options ?? []).join(', ')}</td>
                    {isAdmin && (
                      <td className="col-actions nowrap">
                        <button type="button" className="btn btn-sm" onClick={() => setEditing(d)} aria-label={`${t('common.edit')} ${d.label}`}>
                          {t('common.edit')}
                        </button>{' '}
                        <button
                          type="button"
                          className="btn btn-sm btn-danger-ghost"
                          onClick={() => setDeleting(d)}
                          aria-label={`${t('common.delete')} ${d.label}`}
                        >
                          {t('common.delete')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}

      {deleting && (
        <ConfirmDialog
          title={t('customFields.confirmDeleteTitle')}
          message={t('customFields.confirmDelete', { label: deleting.label })}
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

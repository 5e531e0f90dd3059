import { useEffect, useState } from 'react';
import { imports, type CrmImport } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { formatDateTime, formatNumber } from '../format';
import { t } from '../i18n';
import { ImportUpload } from './ImportUpload';
import { ImportWizard } from './ImportWizard';
import { entityLabel, statusLabel } from './importText';
import './imports.css';

/** #/imports (the history), #/imports/new?entity=contacts (a new one), #/imports/12 (one import). */
export function ImportsScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  if (path[1] === 'new') return <ImportUpload initialEntity={query.get('entity')} />;
  const id = Number(path[1]);
  if (path[1] && Number.isInteger(id) && id > 0) return <ImportWizard key={id} id={id} />;
  return <ImportHistory />;
}

function ImportHistory() {
  const [list, setList] = useState<CrmImport[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useTitle(t('imports.title'));

  useEffect(() => {
    imports
      .list()
      .then(setList)
      .catch(setError);
  }, []);

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('imports.title')}</h1>
          <p className="subtitle">{t('imports.subtitle')}</p>
        </div>
        <a className="btn btn-primary" href="#/imports/new">
          {t('imports.new')}
        </a>
      </header>
      {error !== null && <ErrorBanner error={error} />}
      <div className="card table-card">
        {list === null ? (
          <p className="card-body muted">{t('common.loading')}</p>
        ) : list.length === 0 ? (
          <p className="card-body muted">{t('imports.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('imports.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('imports.when')}</th>
                  <th scope="col">{t('imports.file')}</th>
                  <th scope="col">{t('imports.into')}</th>
                  <th scope="col">{t('imports.status')}</th>
                  <th scope="col" className="num">{t('imports.created')}</th>
                  <th scope="col" className="num">{t('imports.updated')}</th>
                  <th scope="col" className="num">{t('imports.errors')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((i) => (
                  <tr key={i.id} data-import-id={i.id}>
                    <td className="nowrap">{formatDateTime(i.created_at)}</td>
                    <td>
                      <a href={`#/imports/${i.id}`}>{i.file_name}</a>
                    </td>
                    <td>{entityLabel(i.entity)}</td>
                    <td>
                      <span className={`state-pill import-${i.status}`}>{statusLabel(i.status)}</span>
                    </td>
                    <td className="num">{formatNumber(i.created)}</td>
                    <td className="num">{formatNumber(i.updated)}</td>
                    <td className="num">{formatNumber(i.errors_total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

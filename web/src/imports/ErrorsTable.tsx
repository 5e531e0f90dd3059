import { imports, type CrmImport } from '../api';
import { formatNumber } from '../format';
import { t } from '../i18n';

/** The first bad cells (the server sends 100) and a link to the file with all of them. */
export function ErrorsTable({ imp }: { imp: CrmImport }) {
  const errors = imp.errors ?? [];
  if (errors.length === 0) return null;
  return (
    <div className="import-errors">
      <div className="table-wrap">
        <table className="data-table">
          <caption>
            {t('imports.errorsShown', { shown: formatNumber(errors.length), total: formatNumber(imp.errors_total) })}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('imports.row')}
              </th>
              <th scope="col">{t('imports.column')}</th>
              <th scope="col">{t('imports.value')}</th>
              <th scope="col">{t('imports.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={i} className={e.kind === 'skipped' ? 'muted' : undefined}>
                <td className="num">{e.row}</td>
                <td>{e.column}</td>
                <td className="import-value">{e.value}</td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <a className="btn btn-sm" href={imports.errorsUrl(imp.id)} download>
        {t('imports.downloadErrors')}
      </a>
    </div>
  );
}

import { t } from '../i18n';
import { formatCell, isMeasure } from './cells';
import type { Answer } from './reportsApi';

interface Props {
  answer: Answer;
  base: string;
  title: string;
  link: (row: number) => string | null;
}

/**
 * The answer in numbers: a row per group (or record), each number a link to the records behind
 * it when the row has a drill, and the totals under them.
 */
export function ReportTable({ answer, base, title, link }: Props) {
  const a = answer;
  return (
    <div className="table-wrap">
      <table className="data-table report-table">
        <caption className="sr-only">{title}</caption>
        <thead>
          <tr>
            {a.columns.map((c) => (
              <th key={c.key} scope="col" className={isMeasure(c) ? 'num' : undefined} data-key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {a.rows.map((row, i) => {
            const href = link(i);
            return (
              <tr key={i} data-row={i}>
                {a.columns.map((c, j) => {
                  const text = formatCell(c, row[j], base);
                  const cls = isMeasure(c) ? 'num' : undefined;
                  return (
                    <td key={c.key} className={cls} data-key={c.key}>
                      {href && (isMeasure(c) || j === 0) ? (
                        <a href={href} className="num-link" title={t('rw.showRecords')}>
                          {text}
                        </a>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
        {/* Without groups the one row is the total already. */}
        {a.totals && a.rows.length > 0 && a.columns.some((c) => !isMeasure(c)) && (
          <tfoot>
            <tr data-row="total">
              {a.columns.map((c, j) => (
                <td key={c.key} className={isMeasure(c) ? 'num' : undefined} data-key={c.key}>
                  {j === 0 && !isMeasure(c) ? t('rw.total') : a.totals?.[j] === null ? '' : formatCell(c, a.totals?.[j] ?? null, base)}
                </td>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

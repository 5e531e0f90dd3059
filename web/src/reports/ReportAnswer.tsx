import { useState } from 'react';
import { t } from '../i18n';
import { measures } from './cells';
import { ReportChart } from './charts/ReportChart';
import { drillLink } from './drill';
import { ReportTable } from './ReportTable';
import type { Answer, ChartKind, LibraryEntity } from './reportsApi';
import { useBaseCurrency } from './useBase';

interface Props {
  answer: Answer;
  entity: LibraryEntity;
  title: string;
  chart?: ChartKind;
  /** A dashboard widget shows the chart alone (the table only for a table report). */
  compact?: boolean;
}

/** A run's answer: the chart (of the measure picked, the last one by default) beside its table. */
export function ReportAnswer({ answer, entity, title, chart, compact }: Props) {
  const base = useBaseCurrency();
  const ms = measures(answer);
  const [picked, setPicked] = useState<string | null>(null);
  const found = answer.columns.findIndex((c) => c.key === picked);
  const measure = found >= 0 && ms.includes(found) ? found : (ms[ms.length - 1] ?? -1);
  const kind = chart ?? answer.chart ?? 'table';
  const link = (i: number) => drillLink(entity, answer.drill[i]);
  if (answer.rows.length === 0) return <p className="muted report-empty">{t('rw.noRows')}</p>;
  const drawn = kind !== 'table' && measure >= 0;
  return (
    <div className={drawn && !compact ? 'report-answer with-chart' : 'report-answer'}>
      {drawn && (
        <figure className="report-figure">
          {ms.length > 1 && !compact && (
            <label className="field-inline report-measure">
              <span className="field-inline-label">{t('rw.measure')}</span>
              <select className="input input-sm" value={answer.columns[measure].key} onChange={(e) => setPicked(e.target.value)}>
                {ms.map((i) => (
                  <option key={answer.columns[i].key} value={answer.columns[i].key}>
                    {answer.columns[i].label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <ReportChart answer={answer} kind={kind} measure={measure} base={base} title={title} link={link} />
        </figure>
      )}
      {compact && drawn ? (
        <div className="sr-only">
          <ReportTable answer={answer} base={base} title={title} link={link} />
        </div>
      ) : (
        <ReportTable answer={answer} base={base} title={title} link={link} />
      )}
      {answer.truncated && <p className="muted">{t('rw.truncated', { n: answer.rows.length })}</p>}
    </div>
  );
}

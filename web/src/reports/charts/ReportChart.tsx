import { t } from '../../i18n';
import { formatCell, labelColumns } from '../cells';
import type { Answer, ChartKind } from '../reportsApi';
import { BarChart } from './BarChart';
import { FunnelBars } from './FunnelBars';
import { HeatmapChart } from './HeatmapChart';
import { LineChart } from './LineChart';
import { NumberChart } from './NumberChart';
import { PieChart } from './PieChart';
import { seriesOf } from './series';

interface Props {
  answer: Answer;
  kind: ChartKind;
  /** The measure column drawn. */
  measure: number;
  base: string;
  title: string;
  link: (row: number) => string | null;
}

/**
 * An answer drawn as its chart kind; the table beside it (ReportTable) is the chart's data in
 * text, so each chart names itself (role=img, title) and its marks, and no more.
 */
export function ReportChart({ answer, kind, measure, base, title, link }: Props) {
  if (kind === 'table' || measure < 0) return null;
  const name = `${title}: ${answer.columns[measure].label}`;
  if (kind === 'heatmap') {
    const [r, c] = labelColumns(answer);
    if (c === undefined) return <p className="muted">{t('rw.heatmapNeedsTwo')}</p>;
    const cells = answer.rows.map((row, i) => {
      const v = row[measure];
      const rl = formatCell(answer.columns[r], row[r], base);
      const cl = formatCell(answer.columns[c], row[c], base);
      return { row: rl, col: cl, label: `${rl} · ${cl}`, value: typeof v === 'number' ? v : 0, text: formatCell(answer.columns[measure], v, base), href: link(i) };
    });
    return <HeatmapChart cells={cells} title={name} />;
  }
  const points = kind === 'number' && answer.totals && answer.rows.length !== 1
    ? [{ label: t('rw.total'), value: Number(answer.totals[measure] ?? 0), text: formatCell(answer.columns[measure], answer.totals[measure], base), href: null }]
    : seriesOf(answer, measure, base, link);
  if (points.length === 0) return null;
  // Without groups there is one figure to show, whatever the chart asked for.
  const single = labelColumns(answer).length === 0;
  switch (single ? 'number' : kind) {
    case 'number':
      return <NumberChart points={points} title={name} caption={answer.columns[measure].label} />;
    case 'line':
      return <LineChart points={points} title={name} />;
    case 'area':
      return <LineChart points={points} title={name} area />;
    case 'pie':
      return <PieChart points={points} title={name} />;
    case 'funnel':
      return <FunnelBars points={points} title={name} />;
    default:
      return <BarChart points={points} title={name} />;
  }
}

import { formatNumber } from '../format';

export interface BarRow {
  key: string;
  label: string;
  values: number[];
}

const W = 400;
const LABEL = 130;
const NUMBER = 40;
const BAR_H = 18;
const ROW_GAP = 10;

/**
 * Horizontal bars drawn as SVG (no chart library): one row per label, one bar per series
 * (classes name the series for the colours), all on one scale so that rows compare.
 */
export function SupportBars({ title, rows, series, empty }: { title: string; rows: BarRow[]; series: readonly string[]; empty: string }) {
  if (rows.length === 0) return <p className="muted support-empty">{empty}</p>;
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const area = W - LABEL - NUMBER;
  const rowH = series.length * BAR_H + ROW_GAP;
  const height = Math.max(rowH, rows.length * rowH);
  return (
    <svg className="support-bars" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title}>
      <title>{title}</title>
      {rows.map((r, i) => {
        const y0 = i * rowH;
        return (
          <g key={r.key} className="support-row" data-key={r.key}>
            <text className="support-bar-label" x={LABEL - 8} y={y0 + (series.length * BAR_H) / 2} dominantBaseline="central" textAnchor="end">
              {r.label}
            </text>
            {r.values.map((v, j) => {
              const w = v === 0 ? 0 : Math.max(2, (v / max) * area);
              const y = y0 + j * BAR_H;
              return (
                <g key={series[j]}>
                  <rect className={`support-bar bar-${series[j]}`} x={LABEL} y={y + 1} width={w} height={BAR_H - 2} rx={2} data-value={v} />
                  <text className="support-bar-value" x={LABEL + w + 4} y={y + BAR_H / 2} dominantBaseline="central">
                    {formatNumber(v)}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

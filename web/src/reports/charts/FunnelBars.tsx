import { Mark } from './Mark';
import { PALETTE, type ChartProps } from './series';

const W = 640;
const LABEL = 150;
const NUMBERS = 110;
const BAR_H = 30;
const GAP = 8;

/**
 * The rows as centred bars, widest first as they come, as the sales funnel draws its stages
 * (FunnelChart takes the funnel's own answer; this one any report's).
 */
export function FunnelBars({ points, title }: ChartProps) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const area = W - LABEL - NUMBERS;
  const mid = LABEL + area / 2;
  return (
    <svg className="report-chart" viewBox={`0 0 ${W} ${Math.max(1, points.length) * (BAR_H + GAP)}`} role="img" aria-label={title}>
      <title>{title}</title>
      {points.map((p, i) => {
        const w = Math.max(2, (Math.max(0, p.value) / max) * area);
        const y = i * (BAR_H + GAP);
        return (
          <Mark key={i} p={p}>
            <text x={LABEL - 8} y={y + BAR_H / 2 + 4} textAnchor="end" className="chart-label">
              {p.label.length > 20 ? `${p.label.slice(0, 19)}…` : p.label}
            </text>
            <rect x={mid - w / 2} y={y} width={w} height={BAR_H} rx={3} fill={PALETTE[0]} className="chart-bar" />
            <text x={W - NUMBERS + 8} y={y + BAR_H / 2 + 4} className="chart-value">
              {p.text}
            </text>
          </Mark>
        );
      })}
    </svg>
  );
}

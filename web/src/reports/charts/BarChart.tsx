import { Mark } from './Mark';
import { niceMax, PALETTE, type ChartProps } from './series';

const W = 640;
const H = 280;
const LEFT = 8;
const BOTTOM = 48;
const TOP = 16;

/** Vertical bars, one per row, labelled under the axis; each bar opens its records. */
export function BarChart({ points, title }: ChartProps) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const slot = (W - LEFT * 2) / Math.max(1, points.length);
  const bar = Math.max(2, Math.min(56, slot * 0.7));
  const plot = H - BOTTOM - TOP;
  return (
    <svg className="report-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} preserveAspectRatio="xMidYMid meet">
      <title>{title}</title>
      <line x1={LEFT} x2={W - LEFT} y1={TOP + plot} y2={TOP + plot} className="chart-axis" />
      {points.map((p, i) => {
        const h = (Math.max(0, p.value) / max) * plot;
        const x = LEFT + i * slot + (slot - bar) / 2;
        return (
          <Mark key={i} p={p}>
            <rect x={x} y={TOP + plot - h} width={bar} height={Math.max(h, 1)} rx={3} fill={PALETTE[0]} className="chart-bar" />
            <text x={x + bar / 2} y={TOP + plot - h - 4} textAnchor="middle" className="chart-value">
              {p.text}
            </text>
            <text x={x + bar / 2} y={TOP + plot + 16} textAnchor="middle" className="chart-label">
              {p.label.length > 14 ? `${p.label.slice(0, 13)}…` : p.label}
            </text>
          </Mark>
        );
      })}
    </svg>
  );
}

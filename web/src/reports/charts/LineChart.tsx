import { Mark } from './Mark';
import { niceMax, PALETTE, type ChartProps } from './series';

const W = 640;
const H = 280;
const PAD = 24;
const BOTTOM = 48;

/** A line through the rows in order (area: filled under it); each point opens its records. */
export function LineChart({ points, title, area }: ChartProps & { area?: boolean }) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plot = H - BOTTOM - PAD;
  const step = points.length > 1 ? (W - PAD * 2) / (points.length - 1) : 0;
  const xy = points.map((p, i) => [PAD + (points.length > 1 ? i * step : (W - PAD * 2) / 2), PAD + plot - (Math.max(0, p.value) / max) * plot]);
  const line = xy.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join(' ');
  const fill = xy.length > 0 ? `${line} L${xy[xy.length - 1][0]},${PAD + plot} L${xy[0][0]},${PAD + plot} Z` : '';
  return (
    <svg className="report-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
      <title>{title}</title>
      <line x1={PAD} x2={W - PAD} y1={PAD + plot} y2={PAD + plot} className="chart-axis" />
      {area && <path d={fill} fill={PALETTE[0]} opacity={0.18} />}
      <path d={line} fill="none" stroke={PALETTE[0]} strokeWidth={2.5} />
      {points.map((p, i) => (
        <Mark key={i} p={p}>
          <circle cx={xy[i][0]} cy={xy[i][1]} r={5} fill={PALETTE[0]} className="chart-point" />
          <text x={xy[i][0]} y={PAD + plot + 16} textAnchor="middle" className="chart-label">
            {p.label.length > 12 ? `${p.label.slice(0, 11)}…` : p.label}
          </text>
        </Mark>
      ))}
    </svg>
  );
}

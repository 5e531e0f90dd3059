import { Mark } from './Mark';
import { PALETTE, type ChartProps } from './series';

const R = 110;
const C = 130;

/** Shares of the whole as slices, with a legend; each slice opens its records. */
export function PieChart({ points, title }: ChartProps) {
  const total = points.reduce((s, p) => s + Math.max(0, p.value), 0);
  let angle = -Math.PI / 2;
  return (
    <svg className="report-chart" viewBox="0 0 560 260" role="img" aria-label={title}>
      <title>{title}</title>
      {points.map((p, i) => {
        const share = total > 0 ? Math.max(0, p.value) / total : 0;
        const a0 = angle;
        angle += share * Math.PI * 2;
        const colour = PALETTE[i % PALETTE.length];
        const large = share > 0.5 ? 1 : 0;
        const [x0, y0] = [C + R * Math.cos(a0), C + R * Math.sin(a0)];
        const [x1, y1] = [C + R * Math.cos(angle), C + R * Math.sin(angle)];
        const d = share >= 0.9999 ? `M${C - R},${C} a${R},${R} 0 1,0 ${2 * R},0 a${R},${R} 0 1,0 ${-2 * R},0` : `M${C},${C} L${x0},${y0} A${R},${R} 0 ${large},1 ${x1},${y1} Z`;
        return (
          <Mark key={i} p={p}>
            {share > 0 && <path d={d} fill={colour} stroke="var(--surface)" strokeWidth={1.5} />}
            <rect x={280} y={20 + i * 22} width={12} height={12} fill={colour} rx={2} />
            <text x={298} y={31 + i * 22} className="chart-label">
              {p.label.length > 24 ? `${p.label.slice(0, 23)}…` : p.label} · {p.text}
            </text>
          </Mark>
        );
      })}
    </svg>
  );
}

import { Mark } from './Mark';
import type { Point } from './series';

export interface HeatCell extends Point {
  row: string;
  col: string;
}

const CELL_W = 72;
const CELL_H = 30;
const LEFT = 140;
const TOP = 40;

/**
 * Two group levels as a grid: the first level down, the second across, each cell shaded by its
 * value; each cell opens its records.
 */
export function HeatmapChart({ cells, title }: { cells: HeatCell[]; title: string }) {
  const rows = [...new Set(cells.map((c) => c.row))];
  const cols = [...new Set(cells.map((c) => c.col))];
  const max = Math.max(1, ...cells.map((c) => c.value));
  const w = LEFT + cols.length * CELL_W + 8;
  const h = TOP + rows.length * CELL_H + 8;
  return (
    <svg className="report-chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title} style={{ maxWidth: `${w}px` }}>
      <title>{title}</title>
      {cols.map((c, j) => (
        <text key={c} x={LEFT + j * CELL_W + CELL_W / 2} y={TOP - 10} textAnchor="middle" className="chart-label">
          {c.length > 10 ? `${c.slice(0, 9)}…` : c}
        </text>
      ))}
      {rows.map((r, i) => (
        <text key={r} x={LEFT - 8} y={TOP + i * CELL_H + CELL_H / 2 + 4} textAnchor="end" className="chart-label">
          {r.length > 20 ? `${r.slice(0, 19)}…` : r}
        </text>
      ))}
      {cells.map((c, k) => {
        const x = LEFT + cols.indexOf(c.col) * CELL_W;
        const y = TOP + rows.indexOf(c.row) * CELL_H;
        const strength = Math.max(0.08, c.value / max);
        return (
          <Mark key={k} p={c}>
            <rect x={x + 1} y={y + 1} width={CELL_W - 2} height={CELL_H - 2} rx={3} fill="var(--primary)" opacity={strength} />
            <text x={x + CELL_W / 2} y={y + CELL_H / 2 + 4} textAnchor="middle" className={strength > 0.55 ? 'chart-value on-dark' : 'chart-value'}>
              {c.text}
            </text>
          </Mark>
        );
      })}
    </svg>
  );
}

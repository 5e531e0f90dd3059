// One measure of an answer as the points a chart draws: a label, a value, the formatted value
// and the link to the records behind it.
import { formatCell, labelColumns } from '../cells';
import type { Answer } from '../reportsApi';

export interface Point {
  label: string;
  value: number;
  text: string;
  href: string | null;
}

export interface ChartProps {
  points: Point[];
  /** The chart's accessible name (its title). */
  title: string;
}

/** The palette the charts cycle through: the app's primary, success and danger, then softer. */
export const PALETTE = ['var(--primary)', 'var(--success)', '#d98a1c', 'var(--danger)', '#7a4fd6', '#1c9bb0', '#8a94a6', '#c2519b'];

export function seriesOf(a: Answer, measure: number, base: string, link: (row: number) => string | null): Point[] {
  const cols = labelColumns(a);
  return a.rows.map((row, i) => {
    const v = row[measure];
    return {
      label: cols.map((c) => formatCell(a.columns[c], row[c], base)).join(' · ') || '—',
      value: typeof v === 'number' ? v : 0,
      text: formatCell(a.columns[measure], v, base),
      href: link(i),
    };
  });
}

/** A round upper bound for an axis. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

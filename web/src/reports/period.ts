// Period presets of the reports, as calendar dates (YYYY-MM-DD) in the user's time zone.

export type Preset = 'month' | 'quarter' | 'year';
export const PRESETS: Preset[] = ['month', 'quarter', 'year'];

function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The first and last day of this month, quarter or year. */
export function presetRange(p: Preset, now = new Date()): { from: string; to: string } {
  const y = now.getFullYear();
  const m = now.getMonth();
  const start = p === 'month' ? m : p === 'quarter' ? m - (m % 3) : 0;
  const months = p === 'month' ? 1 : p === 'quarter' ? 3 : 12;
  return { from: ymd(new Date(y, start, 1)), to: ymd(new Date(y, start + months, 0)) };
}

/** Which preset a range is, if any. */
export function presetOf(from: string, to: string): Preset | null {
  return PRESETS.find((p) => {
    const r = presetRange(p);
    return r.from === from && r.to === to;
  }) ?? null;
}

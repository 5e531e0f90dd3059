// How KPI numbers read: money in major units, shares in percent, scores in points (the API
// keeps minor units and basis points: docs/api.md, "KPI scorecards").
import type { KpiLine, KpiMetric, KpiPeriodKind } from '../api';
import { t } from '../i18n';

const MONEY: KpiMetric[] = ['revenue_won', 'avg_deal_size'];
const SHARE: KpiMetric[] = ['data_completeness', 'tasks_on_time', 'steps_on_time'];
/** Metrics whose stored numbers are hundredths of what the screen shows. */
export const scaled = (m: KpiMetric) => MONEY.includes(m) || SHARE.includes(m);

export function formatValue(m: KpiMetric, v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (SHARE.includes(m)) return `${(v / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })}%`;
  if (MONEY.includes(m)) return (v / 100).toLocaleString(undefined, { maximumFractionDigits: 2 });
  return v.toLocaleString();
}

/** A stored value as typed in the editor (no grouping, no % sign). */
export const editValue = (m: KpiMetric, v: number | undefined) => (v === undefined ? '' : scaled(m) ? String(v / 100) : String(v));

/** Typed text to a stored value; undefined when it is not a number. */
export function parseValue(m: KpiMetric, text: string): number | undefined {
  const s = text.trim().replace(/[\s,%]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return undefined;
  if (scaled(m)) return Math.round(Number(s) * 100);
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

/** Basis points as points with up to two decimals; an em dash for none. */
export const points = (bp: number | null) => (bp === null ? '—' : (bp / 100).toLocaleString(undefined, { maximumFractionDigits: 2 }));

export function ruleText(l: KpiLine): string {
  if (l.rule === 'linear') return t('kpi.ruleLinear', { cap: l.cap ?? 100 });
  if (l.rule === 'inverse') return t('kpi.ruleInverse', { worst: formatValue(l.metric, l.worst) });
  if (l.bands && l.bands.length > 0) return t('kpi.ruleBands', { bands: l.bands.map((b) => `≥${formatValue(l.metric, b.min)}: ${b.score}`).join(', ') });
  return t('kpi.ruleThreshold');
}

export function currentPeriod(kind: KpiPeriodKind, d = new Date()): string {
  const y = d.getUTCFullYear();
  if (kind === 'year') return String(y);
  if (kind === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The periods of a kind around today, newest last. */
export function periodsOf(kind: KpiPeriodKind): string[] {
  const y = new Date().getUTCFullYear();
  const out: string[] = [];
  for (const yy of [y - 1, y, y + 1]) {
    if (kind === 'year') out.push(String(yy));
    else if (kind === 'quarter') for (let q = 1; q <= 4; q++) out.push(`${yy}-Q${q}`);
    else for (let m = 1; m <= 12; m++) out.push(`${yy}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

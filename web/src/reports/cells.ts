// Reading an answer for display: which columns are measures (numbers a chart can draw), which
// label a row, and how a cell reads (money in the base currency, dates in the user's locale).
import { formatDate, formatDateTime, formatMoney, formatNumber, userLocale } from '../format';
import type { Answer, Cell, ReportColumn } from './reportsApi';

/** A measure: a number column that is not an id. */
export const isMeasure = (c: ReportColumn) => c.type === 'integer' || c.type === 'number';

/** Money columns: amounts in minor units of the base currency (`sum:amount_base`, `avg:amount`). */
export const isMoney = (c: ReportColumn) => /(^|[:.])amount(_base)?$|weighted/.test(c.key) && c.key !== 'count';

export function measures(a: Answer): number[] {
  return a.columns.map((c, i) => (isMeasure(c) ? i : -1)).filter((i) => i >= 0);
}

/** The columns that name a row: the group columns, without an id beside its name. */
export function labelColumns(a: Answer): number[] {
  const cols = a.columns.map((c, i) => (isMeasure(c) ? -1 : i)).filter((i) => i >= 0);
  const named = cols.filter((i) => a.columns[i].type !== 'id');
  return named.length > 0 ? named : cols;
}

const monthFmt = new Intl.DateTimeFormat(userLocale, { year: 'numeric', month: 'short', timeZone: 'UTC' });

/** A date bucket by its first day (`closed_at:month` "2026-03-01") as the period it names: "Mar 2026", "Q2 2026", "2026". */
function formatBucket(key: string, v: string): string {
  const m = /^(\d{4})-(\d{2})-01$/.exec(v);
  if (!m) return formatDate(v);
  if (key.endsWith(':month')) return monthFmt.format(new Date(Date.UTC(+m[1], +m[2] - 1, 1)));
  if (key.endsWith(':quarter')) return `Q${Math.floor((+m[2] - 1) / 3) + 1} ${m[1]}`;
  if (key.endsWith(':year')) return m[1];
  return formatDate(v);
}

export function formatCell(c: ReportColumn, v: Cell, base: string): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? '✓' : '';
  if (typeof v === 'number' && isMoney(c) && base) return formatMoney({ amount: Math.round(v), currency: base });
  if (typeof v === 'number') return formatNumber(v);
  if (c.type === 'date') return formatBucket(c.key, v);
  if (c.type === 'time') return formatDateTime(v);
  return v;
}

/** A row's label: its label cells joined. */
export function rowLabel(a: Answer, row: Cell[], base: string, cols = labelColumns(a)): string {
  if (cols.length === 0) return '';
  return cols.map((i) => formatCell(a.columns[i], row[i], base)).join(' · ');
}

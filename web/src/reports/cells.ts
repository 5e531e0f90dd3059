// Reading an answer for display: which columns are measures (numbers a chart can draw), which
// label a row, and how a cell reads (money in the base currency, dates in the user's locale).
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../format';
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

export function formatCell(c: ReportColumn, v: Cell, base: string): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? '✓' : '';
  if (typeof v === 'number' && isMoney(c) && base) return formatMoney({ amount: Math.round(v), currency: base });
  if (typeof v === 'number') return formatNumber(v);
  if (c.type === 'date') return formatDate(v);
  if (c.type === 'time') return formatDateTime(v);
  return v;
}

/** A row's label: its label cells joined. */
export function rowLabel(a: Answer, row: Cell[], base: string, cols = labelColumns(a)): string {
  if (cols.length === 0) return '';
  return cols.map((i) => formatCell(a.columns[i], row[i], base)).join(' · ');
}

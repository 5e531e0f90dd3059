// The keys of an answer's columns, computed from a description as the server names them
// (docs/reports.md "The answer"), for the sort picker.
import type { Definition } from '../reportsApi';

export function outputKeys(d: Definition): string[] {
  if (d.columns && d.columns.length > 0) return d.columns;
  const groups = (d.group_by ?? []).filter((g) => g.field).map((g) => (g.bucket ? `${g.field}:${g.bucket}` : g.field));
  const aggs = (d.aggregates ?? []).map((a) => (a.field ? `${a.fn}:${a.field}` : a.fn));
  return [...groups, ...aggs];
}

// The description as the form holds it, made into what the server reads: empty lists and unset
// options are dropped. Rows are kept as they are, even half-filled, so that the server's paths
// (`filters[2].field`) point at the rows the form shows.
import type { Definition } from '../reportsApi';

export function cleaned(d: Definition): Definition {
  const out: Definition = { entity: d.entity };
  if (d.joins?.length) out.joins = d.joins;
  if (d.filters?.length) out.filters = d.filters;
  if (d.group_by?.length) out.group_by = d.group_by;
  if (d.aggregates?.length) out.aggregates = d.aggregates;
  // A list of records keeps its columns even empty: the server then says what is missing.
  if (d.columns) out.columns = d.columns;
  if (d.sort?.length) out.sort = d.sort;
  if (d.limit) out.limit = d.limit;
  if (d.chart) out.chart = d.chart;
  return out;
}

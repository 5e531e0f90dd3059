import { dealsHref } from '../deals/filters';

/** The deals list behind one number of the funnel: the report's cohort plus one more filter. */
export function drillHref(drill: string, extra: Record<string, string> = {}): string {
  const f: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(drill)) f[k] = v;
  return dealsHref('list', { ...f, ...extra });
}

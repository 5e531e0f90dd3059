// A report's name and explanation in the user's language: the ready ones by their builtin key,
// the others as their author wrote them.
import { t, type Key } from '../i18n';
import type { SavedReport } from './reportsApi';

function byKey(key: string, fallback: string): string {
  const s = t(key as Key);
  return s === key ? fallback : s;
}

export function reportName(r: Pick<SavedReport, 'builtin' | 'name'>): string {
  return r.builtin ? byKey(`rb.${r.builtin}`, r.name) : r.name;
}

export function reportExplanation(r: Pick<SavedReport, 'builtin' | 'explanation' | 'description'>): string {
  if (r.builtin) return byKey(`rb.${r.builtin}.x`, r.explanation ?? '');
  return r.description || r.explanation || '';
}

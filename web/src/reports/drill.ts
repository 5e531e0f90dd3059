// A row's `drill` (the list filters behind it, as GET /<entity> names them) as a link to that
// list screen, which reads the same names from its query.
import { ALL_PIPELINES, dealsHref } from '../deals/filters';
import type { LibraryEntity } from './reportsApi';

export function drillLink(entity: LibraryEntity, drill: Record<string, string> | null | undefined): string | null {
  if (!drill) return null;
  // A report counts deals of every pipeline unless it says one; the list shows one unless told.
  if (entity === 'deals') return dealsHref('list', { pipeline_id: ALL_PIPELINES, ...drill });
  const q = new URLSearchParams(drill).toString();
  return `#/${entity}${q ? `?${q}` : ''}`;
}

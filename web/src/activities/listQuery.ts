// The activities list's filters as the hash keeps them (#/activities?kind=task&due=today) and
// the API query they make. The due periods are local days, sent as RFC 3339 bounds.
import type { Query } from '../api';
import { endOfDay, localDate, startOfDay } from './time';

export const DUE_PERIODS = ['overdue', 'today', 'tomorrow', 'week'] as const;
export type DuePeriod = (typeof DUE_PERIODS)[number];

export interface ListFilters {
  kind: string;
  status: string;
  owner_id: string;
  due: string;
  q: string;
  sort: string;
}

export const FILTER_KEYS: (keyof ListFilters)[] = ['kind', 'status', 'owner_id', 'due', 'q', 'sort'];

export function filtersOf(q: URLSearchParams): ListFilters {
  return {
    kind: q.get('kind') ?? '',
    status: q.get('status') ?? '',
    owner_id: q.get('owner_id') ?? '',
    due: q.get('due') ?? '',
    q: q.get('q') ?? '',
    sort: q.get('sort') ?? 'due_at',
  };
}

/** The API query: overdue is the server's rule (open tasks past their deadline); the other periods are local days. */
export function apiQuery(f: ListFilters): Query {
  const out: Query = { kind: f.kind, status: f.status, owner_id: f.owner_id, q: f.q, sort: f.sort, limit: 50 };
  switch (f.due as DuePeriod) {
    case 'overdue':
      out.overdue = 'true';
      break;
    case 'today':
      out['due_at[gte]'] = startOfDay(localDate(0));
      out['due_at[lte]'] = endOfDay(localDate(0));
      break;
    case 'tomorrow':
      out['due_at[gte]'] = startOfDay(localDate(1));
      out['due_at[lte]'] = endOfDay(localDate(1));
      break;
    case 'week':
      out['due_at[gte]'] = startOfDay(localDate(0));
      out['due_at[lte]'] = endOfDay(localDate(6));
      break;
    default:
      break;
  }
  return out;
}

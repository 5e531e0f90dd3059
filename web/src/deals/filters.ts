// The deals' filters live in the URL's query, named as GET /deals names them, so that a link
// (the funnel's click-through, a bookmark) opens the same selection in the board or the list.
import type { LostReason, Pipeline, User } from '../api';
import { formatDate } from '../format';
import { t, type Key } from '../i18n';

export type Filters = Record<string, string>;

/** `pipeline_id=all`: the list over every pipeline (a report's drill-down); the board shows one. */
export const ALL_PIPELINES = 'all';

/** The filters the toolbar edits; any other one is shown as a removable chip. */
export const BAR_KEYS = ['pipeline_id', 'owner_id', 'department_id', 'source', 'created_at[gte]', 'created_at[lte]', 'stuck', 'q'];

/** Query parameters that are the view's state, not filters. */
const VIEW_KEYS = new Set(['sort', 'tab']);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Is this filter edited by the toolbar (a date range only when it is a plain date)? */
export function onBar(key: string, v: string): boolean {
  if (!BAR_KEYS.includes(key)) return false;
  return !key.startsWith('created_at[') || DATE.test(v);
}

export function filtersFrom(query: URLSearchParams): Filters {
  const out: Filters = {};
  for (const [k, v] of query) if (!VIEW_KEYS.has(k) && v.trim() !== '') out[k] = v.trim();
  return out;
}

export function toQueryString(f: Filters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== '') p.set(k, v);
  return p.toString();
}

/** #/deals?… (board) or #/deals/list?… with these filters. */
export function dealsHref(view: 'board' | 'list', f: Filters): string {
  const q = toQueryString(f);
  return `#/deals${view === 'list' ? '/list' : ''}${q ? `?${q}` : ''}`;
}

const LABELS: Record<string, Key> = {
  pipeline_id: 'field.pipeline',
  stage_id: 'field.stage',
  reached_stage: 'deals.filter.reached_stage',
  status: 'field.status',
  lost_reason_id: 'deals.lostReasonCol',
  stuck: 'deals.filter.stuck',
  q: 'deals.filter.q',
  company_id: 'field.company',
  owner_id: 'field.owner',
  department_id: 'deals.department',
  source: 'field.source',
  tag: 'field.tag',
  amount: 'field.amount',
  currency: 'field.currency',
  expected_close: 'field.expected_close',
  created_at: 'field.created_at',
  updated_at: 'field.updated_at',
  closed_at: 'deals.closedAt',
  title: 'field.title',
};

export interface Names {
  pipelines: Pipeline[];
  users: User[];
  reasons: LostReason[];
}

function valueLabel(name: string, v: string, n: Names): string {
  const id = Number(v);
  if (name === 'stage_id' || name === 'reached_stage') {
    for (const p of n.pipelines) {
      const s = p.stages.find((x) => x.id === id);
      if (s) return s.name;
    }
  } else if (name === 'pipeline_id') {
    return n.pipelines.find((p) => p.id === id)?.name ?? v;
  } else if (name === 'owner_id') {
    const u = n.users.find((x) => x.id === id);
    if (u) return u.name || u.email;
  } else if (name === 'lost_reason_id') {
    return n.reasons.find((r) => r.id === id)?.name ?? v;
  } else if (name === 'status' && (v === 'open' || v === 'won' || v === 'lost')) {
    return t(`deals.status.${v}`);
  } else if (name === 'stuck') {
    return v === 'true' ? '✓' : '✗';
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    return formatDate(v);
  }
  return v;
}

/** "Stage: Proposal", "Created ≥ Nov 1, 2026", "reached_stage: 3" for a filter the UI does not know. */
export function chipLabel(key: string, v: string, n: Names): string {
  const m = /^([a-z_]+)(?:\[(gte|lte|prefix)\])?$/.exec(key);
  const name = m ? m[1] : key;
  const op = m?.[2];
  const label = LABELS[name] ? t(LABELS[name]) : name;
  const value = valueLabel(name, v, n);
  if (op === 'gte') return `${label} ≥ ${value}`;
  if (op === 'lte') return `${label} ≤ ${value}`;
  if (op === 'prefix') return `${label}: ${value}…`;
  return `${label}: ${value}`;
}

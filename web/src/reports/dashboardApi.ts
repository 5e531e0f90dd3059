// The user's own dashboard (docs/api.md "Dashboards"): the reports they pinned, in order, and the
// layout (each widget's size). The server keeps it and answers only reports the user may still
// see; a user who never saved one sees their role's default (source "role") until they do.
import { request } from '../api';

/** A widget's size in grid cells: 1 to 3 columns wide, 1 or 2 rows high. */
export interface Size {
  w: number;
  h: number;
}
export const SIZE_MAX = { w: 3, h: 2 };

export interface Layout {
  sizes?: Record<string, Size>;
  [k: string]: unknown;
}

export interface DashboardState {
  report_ids: number[];
  layout: Layout;
  updated_at: string | null;
  source?: 'own' | 'role' | 'none';
}

export interface RoleDashboard {
  role_id: number;
  report_ids: number[];
  layout: Layout;
  updated_at: string | null;
}

export const dashboard = {
  get: (signal?: AbortSignal) => request<DashboardState>('GET', '/dashboard', { signal }).then((r) => r.data),
  put: (report_ids: number[], layout?: Layout) =>
    request<DashboardState>('PUT', '/dashboard', { body: layout ? { report_ids, layout } : { report_ids } }).then((r) => r.data),
  reset: () => request<DashboardState>('POST', '/dashboard/reset').then((r) => r.data),
  /** Administrators: the default of a role, what its members see until they save their own. */
  getRole: (roleId: number) => request<RoleDashboard>('GET', `/roles/${roleId}/dashboard`).then((r) => r.data),
  putRole: (roleId: number, report_ids: number[], layout: Layout) =>
    request<RoleDashboard>('PUT', `/roles/${roleId}/dashboard`, { body: { report_ids, layout } }).then((r) => r.data),
};

/** Pins report id last, or takes it off; answers the dashboard as saved. */
export async function togglePin(id: number, on: boolean): Promise<DashboardState> {
  const now = await dashboard.get();
  const ids = now.report_ids.filter((x) => x !== id);
  return dashboard.put(on ? [...ids, id] : ids, now.layout);
}

/** The ids with id moved one place earlier (-1) or later (+1). */
export function moved(ids: number[], id: number, by: -1 | 1): number[] {
  const out = [...ids];
  const i = out.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= out.length) return out;
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** Widget id's size in layout (1×1 when none or out of range). */
export function sizeOf(layout: Layout, id: number): Size {
  const s = layout.sizes?.[String(id)];
  const clamp = (v: unknown, max: number) => (typeof v === 'number' && v >= 1 && v <= max ? Math.floor(v) : 1);
  return { w: clamp(s?.w, SIZE_MAX.w), h: clamp(s?.h, SIZE_MAX.h) };
}

/** The layout with id's size set, keeping only the sizes of widgets still on the dashboard. */
export function resized(layout: Layout, ids: number[], id: number, size: Size): Layout {
  const sizes: Record<string, Size> = {};
  for (const x of ids) {
    const s = x === id ? size : sizeOf(layout, x);
    if (s.w !== 1 || s.h !== 1) sizes[String(x)] = s;
  }
  return { ...layout, sizes };
}

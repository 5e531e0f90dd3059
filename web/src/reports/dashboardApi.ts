// The user's own dashboard (docs/api.md "Dashboards"): the reports they pinned, in order. The
// server keeps it and answers only reports the user may still see.
import { request } from '../api';

export interface DashboardState {
  report_ids: number[];
  layout: Record<string, unknown>;
  updated_at: string | null;
}

export const dashboard = {
  get: (signal?: AbortSignal) => request<DashboardState>('GET', '/dashboard', { signal }).then((r) => r.data),
  put: (report_ids: number[]) => request<DashboardState>('PUT', '/dashboard', { body: { report_ids } }).then((r) => r.data),
};

/** Pins report id last, or takes it off; answers the dashboard as saved. */
export async function togglePin(id: number, on: boolean): Promise<DashboardState> {
  const now = await dashboard.get();
  const ids = now.report_ids.filter((x) => x !== id);
  return dashboard.put(on ? [...ids, id] : ids);
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

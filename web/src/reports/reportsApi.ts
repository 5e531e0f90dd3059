// The saved reports, the library and their runs (docs/api.md "Reports"), through the one API client.
import { request, type Query } from '../api';

export type ChartKind = 'bar' | 'line' | 'area' | 'pie' | 'funnel' | 'table' | 'number' | 'heatmap';
export const CHARTS: ChartKind[] = ['bar', 'line', 'area', 'pie', 'funnel', 'table', 'number', 'heatmap'];
export type ReportEntity = 'companies' | 'contacts' | 'deals' | 'activities';
/** The entity whose list a ready report's drills open: the designer's, or the tickets. */
export type LibraryEntity = ReportEntity | 'tickets';
export const REPORT_ENTITIES: ReportEntity[] = ['deals', 'companies', 'contacts', 'activities'];

export interface Filter {
  field: string;
  op: string;
  value: unknown;
}
export interface Group {
  field: string;
  bucket?: string;
}
export interface Aggregate {
  fn: string;
  field?: string;
}
export interface SortKey {
  key: string;
  dir?: 'asc' | 'desc';
}

/** A report's description (docs/reports.md): what to count, never SQL. */
export interface Definition {
  entity: ReportEntity;
  joins?: string[];
  columns?: string[];
  filters?: Filter[];
  group_by?: Group[];
  aggregates?: Aggregate[];
  sort?: SortKey[];
  limit?: number;
  chart?: ChartKind;
  explanation?: string;
}

export type Share = { user_id: number } | { department_id: number };

export interface SavedReport {
  id: number;
  name: string;
  description: string;
  owner_id: number | null;
  builtin: string | null;
  explanation: string | null;
  /** The parameters a ready report's run takes (from, to, days, owner_id, ...); [] for others. */
  params: string[];
  editable: boolean;
  version: number;
  definition?: Definition | null;
  shares?: Share[];
}

export interface ReportColumn {
  key: string;
  label: string;
  type: string;
}

export type Cell = string | number | boolean | null | string[];

/** What every run answers. */
export interface Answer {
  columns: ReportColumn[];
  rows: Cell[][];
  totals: Cell[] | null;
  drill: (Record<string, string> | null)[];
  truncated: boolean;
  chart: ChartKind;
  row_count: number;
}

export interface ReportInput {
  name: string;
  description?: string;
  definition: Definition;
  shares?: Share[];
}

/** The files a report exports to (docs/reports.md): the PDF has its chart drawn on the server. */
export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

export const reports = {
  list: (signal?: AbortSignal) => request<{ data: SavedReport[] }>('GET', '/reports', { signal }).then((r) => r.data.data),
  get: (id: number, signal?: AbortSignal) => request<SavedReport>('GET', `/reports/${id}`, { signal }),
  create: (body: ReportInput) => request<SavedReport>('POST', '/reports', { body }),
  update: (id: number, body: ReportInput, etag: string | null) => request<SavedReport>('PUT', `/reports/${id}`, { body, ifMatch: etag }),
  remove: (id: number) => request<null>('DELETE', `/reports/${id}`),
  run: (id: number, query: Query, signal?: AbortSignal) =>
    request<Answer>('GET', `/reports/${id}/run`, { query, signal }).then((r) => r.data),
  preview: (definition: Definition, tz: string, signal?: AbortSignal) =>
    request<Answer>('POST', '/reports/run', { body: { definition, tz }, signal }).then((r) => r.data),
  exportUrl: (id: number, format: ExportFormat, query: Record<string, string>) => {
    const q = new URLSearchParams({ format, ...query });
    return `/api/v1/reports/${id}/export?${q.toString()}`;
  },
};

/** The viewer's IANA time zone, for relative periods and date buckets. */
export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// What the web knows about the ready reports beyond the list's answer: the group the library
// shows each in, its base entity (whose export right the export needs) and the parameters its
// run takes (docs/reports.md "The library").
import type { ReportEntity } from './reportsApi';

export type Group = 'sales' | 'activities' | 'clients' | 'quality';
export const GROUPS: Group[] = ['sales', 'activities', 'clients', 'quality'];

export type Params = 'period' | 'days' | 'none';

interface Builtin {
  group: Group;
  entity: ReportEntity;
  params: Params;
}

export const BUILTINS: Record<string, Builtin> = {
  revenue_by_month: { group: 'sales', entity: 'deals', params: 'period' },
  revenue_by_source: { group: 'sales', entity: 'deals', params: 'period' },
  revenue_by_manager: { group: 'sales', entity: 'deals', params: 'period' },
  revenue_by_department: { group: 'sales', entity: 'deals', params: 'period' },
  won_lost_reasons: { group: 'sales', entity: 'deals', params: 'period' },
  deal_size_cycle: { group: 'sales', entity: 'deals', params: 'period' },
  pipeline_by_close_month: { group: 'sales', entity: 'deals', params: 'none' },
  activity_by_manager: { group: 'activities', entity: 'activities', params: 'period' },
  overdue_tasks_by_person: { group: 'activities', entity: 'activities', params: 'none' },
  new_clients_by_source: { group: 'clients', entity: 'companies', params: 'period' },
  clients_no_contact: { group: 'clients', entity: 'companies', params: 'days' },
  data_completeness: { group: 'quality', entity: 'contacts', params: 'none' },
};

/** The library group of a ready report. */
export function groupOf(builtin: string): Group {
  return BUILTINS[builtin]?.group ?? 'sales';
}

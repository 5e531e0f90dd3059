// What the web knows about the ready reports beyond the list's answer: the group the library
// shows each in and its base entity (whose list its drills open, and whose export right the
// export needs). The parameters a run takes come with the report (`params`, docs/reports.md
// "The library" and "Filters").
import type { LibraryEntity } from './reportsApi';

export type Group = 'sales' | 'activities' | 'clients' | 'operations' | 'quality';
export const GROUPS: Group[] = ['sales', 'activities', 'clients', 'operations', 'quality'];

interface Builtin {
  group: Group;
  entity: LibraryEntity;
}

export const BUILTINS: Record<string, Builtin> = {
  revenue_by_month: { group: 'sales', entity: 'deals' },
  revenue_by_source: { group: 'sales', entity: 'deals' },
  revenue_by_manager: { group: 'sales', entity: 'deals' },
  revenue_by_department: { group: 'sales', entity: 'deals' },
  revenue_by_product: { group: 'sales', entity: 'deals' },
  revenue_by_segment: { group: 'sales', entity: 'deals' },
  won_lost_reasons: { group: 'sales', entity: 'deals' },
  deal_size_cycle: { group: 'sales', entity: 'deals' },
  pipeline_by_close_month: { group: 'sales', entity: 'deals' },
  activity_by_manager: { group: 'activities', entity: 'activities' },
  overdue_tasks_by_person: { group: 'activities', entity: 'activities' },
  new_clients_by_source: { group: 'clients', entity: 'companies' },
  clients_no_contact: { group: 'clients', entity: 'companies' },
  clients_stuck_first_contact: { group: 'clients', entity: 'companies' },
  abc_clients: { group: 'clients', entity: 'deals' },
  rfm_segments: { group: 'clients', entity: 'deals' },
  repeat_purchase_rate: { group: 'clients', entity: 'deals' },
  tickets_sla: { group: 'operations', entity: 'tickets' },
  process_bottlenecks: { group: 'operations', entity: 'activities' },
  crm_usage: { group: 'quality', entity: 'activities' },
  data_completeness: { group: 'quality', entity: 'contacts' },
};

/** The library group of a ready report. */
export function groupOf(builtin: string): Group {
  return BUILTINS[builtin]?.group ?? 'sales';
}

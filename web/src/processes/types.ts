// The process definition as docs/processes.md describes it, typed loosely enough that the editor
// can hold a half-built template: the server checks every rule, the editor only draws and edits.

export type Person = 'record_owner' | 'owner_head' | { user: number } | { role: number; in: 'record_department' };

export type Unit = 'minutes' | 'hours' | 'days' | 'work_hours' | 'work_days';

export interface OnOverdue {
  action: 'remind' | 'notify_owner' | 'reassign' | 'branch';
  to?: Person;
  step?: string;
}

export interface Deadline {
  amount: number;
  unit: Unit;
  on_overdue?: OnOverdue;
}

/** One step: the members common to all kinds plus whatever its kind takes (kept as given). */
export interface Step {
  id: string;
  kind: StepKind;
  name: string;
  description?: string;
  position?: { x: number; y: number };
  next?: string;
  branches?: Record<string, string>;
  deadline?: Deadline;
  [member: string]: unknown;
}

export type StepKind =
  | 'task' | 'approval' | 'condition' | 'wait' | 'set_field' | 'move_stage' | 'notify' | 'email'
  | 'create_record' | 'webhook' | 'start_process' | 'end';

export const STEP_KINDS: StepKind[] = [
  'task', 'approval', 'condition', 'wait', 'set_field', 'move_stage', 'notify', 'email',
  'create_record', 'webhook', 'start_process', 'end',
];

export interface Trigger {
  type: 'manual' | 'created' | 'field_changed' | 'schedule' | 'date_offset';
  [member: string]: unknown;
}

export interface Definition {
  key: string;
  name: string;
  description?: string;
  entity: string;
  trigger: Trigger;
  start: string;
  steps: Step[];
}

export const ENTITIES = ['deals', 'companies', 'contacts', 'activities'] as const;

// What each kind of activity has: its fields, its statuses, and what the form starts with.
// The server enforces the same rules (a field of another kind answers 422 naming it).
import type { ActivityKind } from '../api';
import type { Key } from '../i18n';

/** The form's fields beyond subject, body, owner and the links, by kind, in the form's order. */
export type ActivityField =
  | 'status' | 'priority' | 'due_at' | 'start_at' | 'end_at' | 'place' | 'direction' | 'phone'
  | 'duration_s' | 'result' | 'email_from' | 'email_to' | 'estimate_min' | 'spent_min'
  | 'participants' | 'checklist' | 'reminders' | 'recurrence';

export const KIND_FIELDS: Record<ActivityKind, ActivityField[]> = {
  task: ['priority', 'due_at', 'start_at', 'estimate_min', 'spent_min', 'participants', 'checklist', 'reminders', 'recurrence'],
  call: ['direction', 'phone', 'start_at', 'duration_s', 'result', 'participants'],
  meeting: ['status', 'start_at', 'end_at', 'place', 'participants', 'reminders'],
  email: ['email_from', 'email_to'],
  note: [],
  chat: ['direction'],
};

export const KIND_STATUSES: Record<ActivityKind, string[]> = {
  task: ['open', 'done', 'cancelled'],
  call: ['done'],
  meeting: ['planned', 'held', 'cancelled'],
  email: ['done'],
  note: ['done'],
  chat: ['done'],
};

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export const hasField = (kind: ActivityKind, f: ActivityField) => KIND_FIELDS[kind].includes(f);

export const kindLabel = (k: ActivityKind): Key => `activity.kind.${k}` as Key;
export const statusLabel = (s: string): Key => `activity.status.${s}` as Key;

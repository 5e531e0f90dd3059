// An activity's form state (text as typed, times in local time) and the request body built from it.
import type { Activity, ActivityKind, ChecklistItem } from '../api';
import type { CompanyRef } from '../common/inputs';
import { hasField } from './kinds';
import { noRecurrence, recurrenceDraftOf, type RecurrenceDraft } from './Schedule';
import { endOfDay, fromLocalInput, toLocalInput } from './time';

export interface Draft {
  kind: ActivityKind;
  subject: string;
  body: string;
  status: string;
  priority: string;
  /** Local "YYYY-MM-DDTHH:mm", or a local "YYYY-MM-DD" when `dueDateOnly`. */
  due_at: string;
  dueDateOnly: boolean;
  start_at: string;
  end_at: string;
  place: string;
  direction: string;
  phone: string;
  duration_s: string;
  result: string;
  email_from: string;
  /** Addresses separated by commas. */
  email_to: string;
  estimate_min: string;
  spent_min: string;
  owner_id: string;
  participants: number[];
  checklist: ChecklistItem[];
  /** Minutes before the deadline or the start, ascending. */
  reminders: number[];
  recurrence: RecurrenceDraft;
  company: CompanyRef;
  contact: CompanyRef;
  deal: CompanyRef;
}

const none: CompanyRef = { id: '', label: '' };
const str = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const ref = (id: number | null, name: string | null): CompanyRef => (id ? { id: String(id), label: name ?? `#${id}` } : none);

export function emptyDraft(kind: ActivityKind, ownerId: number | null): Draft {
  return {
    kind,
    subject: '',
    body: '',
    status: kind === 'task' ? 'open' : kind === 'meeting' ? 'planned' : 'done',
    priority: 'normal',
    due_at: '',
    dueDateOnly: false,
    start_at: '',
    end_at: '',
    place: '',
    direction: kind === 'call' ? 'out' : '',
    phone: '',
    duration_s: '',
    result: '',
    email_from: '',
    email_to: '',
    estimate_min: '',
    spent_min: '',
    owner_id: str(ownerId),
    participants: [],
    checklist: [],
    reminders: [],
    recurrence: noRecurrence,
    company: none,
    contact: none,
    deal: none,
  };
}

export function draftOf(a: Activity): Draft {
  return {
    kind: a.kind,
    subject: str(a.subject),
    body: str(a.body),
    status: a.status,
    priority: str(a.priority) || 'normal',
    due_at: toLocalInput(a.due_at),
    dueDateOnly: false,
    start_at: toLocalInput(a.start_at),
    end_at: toLocalInput(a.end_at),
    place: str(a.place),
    direction: str(a.direction),
    phone: str(a.phone),
    duration_s: str(a.duration_s),
    result: str(a.result),
    email_from: str(a.email_from),
    email_to: (a.email_to ?? []).join(', '),
    estimate_min: str(a.estimate_min),
    spent_min: str(a.spent_min),
    owner_id: str(a.owner_id),
    participants: [...(a.participants ?? [])],
    checklist: (a.checklist ?? []).map((x) => ({ ...x })),
    reminders: [...(a.reminders ?? [])].sort((x, y) => x - y),
    recurrence: recurrenceDraftOf(a.recurrence, (iso) => toLocalInput(iso).slice(0, 10)),
    company: ref(a.company_id, a.company_name),
    contact: ref(a.contact_id, a.contact_name),
    deal: ref(a.deal_id, a.deal_name),
  };
}

const text = (s: string) => (s.trim() ? s.trim() : null);
const num = (s: string) => (s.trim() === '' ? null : Number(s.trim()));
const id = (r: CompanyRef) => (r.id ? Number(r.id) : null);

function timeOf(local: string): string | null {
  return local.trim() ? fromLocalInput(local) ?? local.trim() : null;
}

/** Every field the kind has, as the API takes it (a time the browser cannot read goes as typed, for the server to name). */
function payload(d: Draft): Record<string, unknown> {
  const p: Record<string, unknown> = {
    subject: text(d.subject),
    body: d.body.trim() ? d.body : null,
    owner_id: d.owner_id ? Number(d.owner_id) : null,
    company_id: id(d.company),
    contact_id: id(d.contact),
    deal_id: id(d.deal),
  };
  const k = d.kind;
  if (hasField(k, 'status')) p.status = d.status;
  if (hasField(k, 'priority')) p.priority = d.priority;
  if (hasField(k, 'due_at')) p.due_at = d.dueDateOnly ? (d.due_at ? endOfDay(d.due_at) ?? d.due_at : null) : timeOf(d.due_at);
  if (hasField(k, 'start_at')) p.start_at = timeOf(d.start_at);
  if (hasField(k, 'end_at')) p.end_at = timeOf(d.end_at);
  if (hasField(k, 'place')) p.place = text(d.place);
  if (hasField(k, 'direction')) p.direction = d.direction || null;
  if (hasField(k, 'phone')) p.phone = text(d.phone);
  if (hasField(k, 'duration_s')) p.duration_s = num(d.duration_s);
  if (hasField(k, 'result')) p.result = text(d.result);
  if (hasField(k, 'email_from')) p.email_from = text(d.email_from);
  if (hasField(k, 'email_to'))
    p.email_to = d.email_to
      .split(/[,;\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  if (hasField(k, 'estimate_min')) p.estimate_min = num(d.estimate_min);
  if (hasField(k, 'spent_min')) p.spent_min = num(d.spent_min);
  if (hasField(k, 'participants')) p.participants = d.participants;
  if (hasField(k, 'checklist')) p.checklist = d.checklist.filter((x) => x.text.trim()).map((x) => ({ text: x.text.trim(), done: x.done }));
  if (hasField(k, 'reminders')) p.reminders = d.reminders.length ? d.reminders : null;
  if (hasField(k, 'recurrence')) p.recurrence = p.due_at ? recurrenceBody(d.recurrence) : null;
  return p;
}

/** The rule as the API takes it; null: none. Numbers the browser cannot read go as typed, for the server to name. */
function recurrenceBody(r: RecurrenceDraft): Record<string, unknown> | null {
  if (!r.freq) return null;
  const out: Record<string, unknown> = { freq: r.freq, interval: num(r.interval) ?? 1 };
  if (r.ends === 'until' && r.until) out.until = endOfDay(r.until) ?? r.until;
  if (r.ends === 'count' && r.count.trim()) out.count = num(r.count);
  return out;
}

const empty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The request: when creating, the kind and every field with a value; when editing, only what
 * changed (null clears), and never the kind, which is fixed at creation.
 */
export function draftBody(d: Draft, original: Draft | null): Record<string, unknown> {
  const p = payload(d);
  const out: Record<string, unknown> = {};
  if (!original) {
    out.kind = d.kind;
    for (const [k, v] of Object.entries(p)) if (!empty(v)) out[k] = v;
    return out;
  }
  const was = payload(original);
  for (const [k, v] of Object.entries(p)) if (JSON.stringify(v) !== JSON.stringify(was[k])) out[k] = v;
  return out;
}

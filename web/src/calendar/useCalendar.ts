import { useCallback, useEffect, useRef, useState } from 'react';
import { activities, type Activity, type Query } from '../api';
import { toRfc3339 } from '../activities/time';

/** Whose calendar: one person's (what they own, take part in, or both), or a department's (both, for everyone in it). */
export type Who =
  | { user: number; role: 'any' | 'owner' | 'participant' }
  | { department: number };

/** An entry placed in time: a task at its deadline, a meeting from its start to its end. */
export interface Entry {
  a: Activity;
  start: Date;
  end: Date;
}

const TASK_MINUTES = 30;
const MEETING_MINUTES = 60;

/** The entries shown on the day [day, next): a task by its deadline, a meeting by any overlap. */
export function onDayEntries(entries: Entry[], day: Date, next: Date): Entry[] {
  const d = day.getTime();
  const n = next.getTime();
  return entries.filter((e) =>
    e.a.kind === 'meeting' ? e.start.getTime() < n && e.end.getTime() > d : e.start.getTime() >= d && e.start.getTime() < n,
  );
}

export function toEntry(a: Activity): Entry | null {
  const at = a.kind === 'task' ? a.due_at : a.start_at;
  if (!at) return null;
  const start = new Date(at);
  if (Number.isNaN(start.getTime())) return null;
  let end = a.kind === 'meeting' && a.end_at ? new Date(a.end_at) : new Date(NaN);
  if (Number.isNaN(end.getTime()) || end <= start)
    end = new Date(start.getTime() + (a.kind === 'task' ? TASK_MINUTES : MEETING_MINUTES) * 60000);
  return { a, start, end };
}

const PAGE = 200;
const MAX_PAGES = 10;

/** Every page of one list query (at most MAX_PAGES of 200). */
async function all(query: Query, signal: AbortSignal): Promise<Activity[]> {
  const out: Activity[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await activities.list({ ...query, limit: PAGE, cursor }, signal);
    out.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/** The queries for a period: tasks by deadline and meetings by start, for each way of being "someone's". */
function queries(who: Who, from: Date, to: Date): Query[] {
  const gte = from.toISOString();
  const lte = new Date(to.getTime() - 1).toISOString();
  // "Someone's" is what they own and what they take part in (involves), unless one of the two is asked.
  const people: Query[] =
    'department' in who
      ? [{ involves_department: who.department }]
      : [who.role === 'owner' ? { owner_id: who.user } : who.role === 'participant' ? { participant_id: who.user } : { involves: who.user }];
  return people.flatMap((p) => [
    { ...p, kind: 'task', 'due_at[gte]': gte, 'due_at[lte]': lte, sort: 'due_at' },
    { ...p, kind: 'meeting', 'start_at[gte]': gte, 'start_at[lte]': lte, sort: 'start_at' },
    // A meeting that began earlier and is still going (filters combine with AND: an overlap).
    { ...p, kind: 'meeting', 'start_at[lte]': gte, 'end_at[gte]': gte, sort: 'start_at' },
  ]);
}

/**
 * The tasks and meetings of [from, to), and rescheduling: the entry moves at once and goes back,
 * with the server's reason, when the change is refused.
 */
export function useCalendar(who: Who, from: Date, to: Date) {
  const [items, setItems] = useState<Activity[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ctl = useRef<AbortController | null>(null);
  const key = `${JSON.stringify(who)}|${from.getTime()}|${to.getTime()}`;

  const load = useCallback(async () => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    try {
      const lists = await Promise.all(queries(who, from, to).map((q) => all(q, c.signal)));
      const seen = new Map<number, Activity>();
      for (const a of lists.flat()) if (a.status !== 'cancelled') seen.set(a.id, a);
      setItems([...seen.values()]);
      setError(null);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    setItems(null);
    void load();
    return () => ctl.current?.abort();
  }, [load]);

  /** Moves an entry so that it starts at `start` (a meeting keeps its length); resolves with the error when put back. */
  const reschedule = useCallback(async (a: Activity, start: Date): Promise<unknown> => {
    const e = toEntry(a);
    if (!e) return null;
    const delta = start.getTime() - e.start.getTime();
    if (delta === 0) return null;
    const body: Record<string, string> =
      a.kind === 'task'
        ? { due_at: toRfc3339(start) }
        : { start_at: toRfc3339(start), ...(a.end_at ? { end_at: toRfc3339(new Date(new Date(a.end_at).getTime() + delta)) } : {}) };
    const moved: Activity = { ...a, ...(a.kind === 'task' ? { due_at: start.toISOString() } : {}), ...(a.kind === 'meeting' ? { start_at: start.toISOString(), end_at: a.end_at ? new Date(new Date(a.end_at).getTime() + delta).toISOString() : null } : {}) };
    setItems((l) => l && l.map((x) => (x.id === a.id ? moved : x)));
    try {
      const r = await activities.update(a.id, body, `"${a.version}"`);
      setItems((l) => l && l.map((x) => (x.id === a.id ? r.data : x)));
      return null;
    } catch (err) {
      setItems((l) => l && l.map((x) => (x.id === a.id ? a : x)));
      return err;
    }
  }, []);

  return { items, error, reload: load, reschedule };
}

// Calendar arithmetic in the browser's time zone. A day is a local date "YYYY-MM-DD"; weeks start
// on Monday (as my day's "this week" does). Moving by days goes through the local calendar, so a
// day across a daylight-saving change is still "the same time the next day".

export type View = 'day' | 'week' | 'month';
export const VIEWS: View[] = ['day', 'week', 'month'];

const pad = (n: number) => String(n).padStart(2, '0');

/** A local Date's calendar day, "2026-11-27". */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight of a "YYYY-MM-DD"; today's when it is not one. */
export function parseDay(s: string | null | undefined): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '');
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date();
  if (Number.isNaN(d.getTime())) return startOfDay(new Date());
  return startOfDay(d);
}

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** The same local time `n` calendar days later. */
export function addDays(d: Date, n: number): Date {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
}

/** The Monday of the week holding `d`. */
export function startOfWeek(d: Date): Date {
  const x = startOfDay(d);
  return addDays(x, -((x.getDay() + 6) % 7));
}

/** The visible days of a view around `anchor`: one, a week, or the whole weeks that hold the month. */
export function visibleDays(view: View, anchor: Date): Date[] {
  let first: Date;
  let count: number;
  if (view === 'day') {
    first = startOfDay(anchor);
    count = 1;
  } else if (view === 'week') {
    first = startOfWeek(anchor);
    count = 7;
  } else {
    first = startOfWeek(new Date(anchor.getFullYear(), anchor.getMonth(), 1));
    const last = new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0);
    count = Math.round((startOfDay(addDays(startOfWeek(last), 7)).getTime() - first.getTime()) / 86400000);
  }
  return Array.from({ length: count }, (_, i) => addDays(first, i));
}

/** The anchor one period before (-1) or after (+1). */
export function step(view: View, anchor: Date, dir: -1 | 1): Date {
  if (view === 'day') return addDays(anchor, dir);
  if (view === 'week') return addDays(anchor, 7 * dir);
  // The same day of the month where there is one (31 January → 28 February), so that going back to
  // the week view after paging months lands near where one was.
  const last = new Date(anchor.getFullYear(), anchor.getMonth() + dir + 1, 0).getDate();
  return new Date(anchor.getFullYear(), anchor.getMonth() + dir, Math.min(anchor.getDate(), last));
}

/** `d` moved to the calendar day `day`, keeping its local time of day. */
export function onDay(d: Date, day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

/** Minutes since the local midnight of `d`'s day. */
export function minuteOfDay(d: Date): number {
  return d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60;
}

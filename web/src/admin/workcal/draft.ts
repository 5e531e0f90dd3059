import type { WorkHoliday } from '../../api';
import { t, type Key } from '../../i18n';

/** One interval as typed: "09:00" to "13:00". */
export interface SpanDraft {
  from: string;
  to: string;
}

/** A holiday as typed; `hours` empty is closed, else intervals like "09:00-13:00, 14:00-15:00". */
export interface HolidayDraft {
  date: string;
  name: string;
  hours: string;
}

export const dayName = (i: number) => t(`workcal.day.${i}` as Key);

export function toSpans(day: string[]): SpanDraft[] {
  return day.map((s) => {
    const [from = '', to = ''] = s.split('-');
    return { from, to };
  });
}

/** The wire form of a day; the server checks and sorts it. */
export function fromSpans(day: SpanDraft[]): string[] {
  return day.map((s) => `${s.from.trim()}-${s.to.trim()}`);
}

export function toHolidayDraft(h: WorkHoliday): HolidayDraft {
  return { date: h.date, name: h.name, hours: (h.hours ?? []).join(', ') };
}

export function fromHolidayDraft(h: HolidayDraft): WorkHoliday {
  const hours = h.hours
    .split(/[,;\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  return { date: h.date, name: h.name.trim(), hours: hours.length ? hours : null };
}

/** "Mon–Fri 09:00-18:00; Sat 10:00-14:00": consecutive days with the same hours together. */
export function weekSummary(week: string[][]): string {
  const parts: string[] = [];
  for (let i = 0; i < week.length; ) {
    let j = i;
    while (j + 1 < week.length && week[j + 1].join() === week[i].join()) j++;
    if (week[i].length) parts.push(`${dayName(i)}${j > i ? `–${dayName(j)}` : ''} ${week[i].join(', ')}`);
    i = j + 1;
  }
  return parts.join('; ') || t('workcal.closed');
}

/** The time zones the browser knows, UTC first (the server checks the name). */
export function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  const set = new Set(['UTC', ...all]);
  if (current) set.add(current);
  return [...set];
}

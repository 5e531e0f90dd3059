// Date-times in the user's local time: what <input type="datetime-local"> shows, and the RFC 3339
// text with the local offset that the API takes. The API refuses a date without a time zone, so a
// "date only" deadline becomes the end of that local day.

/** The browser's IANA time zone ("Europe/Berlin"), the `tz` of my day. */
export function browserTz(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-27T18:00" in local time, for a datetime-local input; '' for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "+01:00" for a local Date (JavaScript's offset has the opposite sign). */
function offsetOf(d: Date): string {
  const m = -d.getTimezoneOffset();
  const sign = m >= 0 ? '+' : '-';
  const a = Math.abs(m);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** A local "YYYY-MM-DDTHH:mm" as RFC 3339 with the local offset; null when empty or not a time. */
export function fromLocalInput(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(d.getTime())) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${offsetOf(d)}`;
}

/** The last minute of a local day ("2026-11-27" → "2026-11-27T23:59" local input text). */
export function endOfDayInput(date: string): string {
  return `${date}T23:59`;
}

/** Today's local date, "YYYY-MM-DD", moved by `days`. */
export function localDate(days = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The local midnight at the start of a local date, as RFC 3339 (a list filter's bound). */
export function startOfDay(date: string): string | null {
  return fromLocalInput(`${date}T00:00`);
}

/** The end of a local date, as RFC 3339 (a list filter's bound, and a date-only deadline). */
export function endOfDay(date: string): string | null {
  return fromLocalInput(`${date}T23:59:59`);
}

/** A Date as RFC 3339 in local time with its offset ("2026-11-27T10:00:00+01:00"), as the API takes it. */
export function toRfc3339(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${offsetOf(d)}`;
}

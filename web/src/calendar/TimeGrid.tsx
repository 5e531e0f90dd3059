import { useEffect, useRef, type DragEvent } from 'react';
import { userLocale } from '../format';
import { t } from '../i18n';
import { addDays, dayKey, minuteOfDay, startOfDay } from './dates';
import { EntryLink } from './EntryLink';
import { onDayEntries, type Entry } from './useCalendar';

/** Pixels per hour; entries snap to a quarter of an hour when dropped. */
export const HOUR = 48;
const SNAP = 15;

interface Props {
  days: Date[];
  entries: Entry[];
  movable: boolean;
  onDragStart: (e: DragEvent<HTMLAnchorElement>, entry: Entry, offset: number) => void;
  /** A drop at a local day and minute; `grab` is how far into the entry it was held (minutes). */
  onDrop: (e: DragEvent<HTMLElement>, at: Date) => void;
  grabMinutes: () => number;
  onKeyMove: (entry: Entry, days: number, minutes: number) => void;
  onOpenDay: (d: Date) => void;
}

const dayFmt = new Intl.DateTimeFormat(userLocale, { weekday: 'short', day: 'numeric' });
const longFmt = new Intl.DateTimeFormat(userLocale, { weekday: 'long', month: 'long', day: 'numeric' });
const hourFmt = new Intl.DateTimeFormat(userLocale, { hour: 'numeric' });

/** The part of an entry within one day (a meeting over midnight is in two). */
interface Piece extends Entry {
  /** Minutes from the entry's own start to the piece's start. */
  offset: number;
}

function pieces(entries: Entry[], day: Date, next: Date): Piece[] {
  return onDayEntries(entries, day, next).map((e) => {
    const start = e.start < day ? day : e.start;
    const end = e.a.kind === 'meeting' && e.end > next ? next : e.end;
    return { ...e, start, end, offset: (start.getTime() - e.start.getTime()) / 60000 };
  });
}

/** Side by side lanes for entries of one day that overlap in time. */
function lanes(list: Piece[]): { entry: Piece; lane: number; of: number }[] {
  const sorted = [...list].sort((x, y) => x.start.getTime() - y.start.getTime() || y.end.getTime() - x.end.getTime());
  const out: { entry: Piece; lane: number; of: number }[] = [];
  let group: { entry: Piece; lane: number; of: number }[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -Infinity;
  const close = () => {
    for (const g of group) g.of = laneEnds.length;
    out.push(...group);
    group = [];
    laneEnds = [];
  };
  for (const e of sorted) {
    const s = e.start.getTime();
    if (s >= groupEnd) close();
    let lane = laneEnds.findIndex((end) => end <= s);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = e.end.getTime();
    groupEnd = Math.max(groupEnd, e.end.getTime());
    group.push({ entry: e, lane, of: 0 });
  }
  close();
  return out;
}

/** The day and week views: a column per day, an hour per row, entries at their times. */
export function TimeGrid({ days, entries, movable, onDragStart, onDrop, grabMinutes, onKeyMove, onOpenDay }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const today = dayKey(new Date());
  useEffect(() => {
    // Open at the working day, or earlier when something is planned before it.
    const first = entries.length ? Math.min(...entries.map((e) => minuteOfDay(e.start))) : 8 * 60;
    if (scroller.current) scroller.current.scrollTop = (Math.min(first, 8 * 60) / 60) * HOUR - 8;
    // Only when the period changes, not on every reschedule.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [days[0]?.getTime(), entries.length === 0]);

  function drop(e: DragEvent<HTMLDivElement>, day: Date) {
    e.preventDefault();
    const rect = e.currentTarget.getBoundingClientRect();
    const y = e.clientY - rect.top;
    let minutes = (y / HOUR) * 60 - grabMinutes();
    minutes = Math.round(minutes / SNAP) * SNAP;
    minutes = Math.max(0, Math.min(24 * 60 - SNAP, minutes));
    const at = startOfDay(day);
    at.setHours(0, minutes, 0, 0);
    onDrop(e, at);
  }

  return (
    <div className={`cal-timegrid cal-days-${days.length}`}>
      <div className="cal-head" style={{ gridTemplateColumns: `56px repeat(${days.length}, 1fr)` }}>
        <span />
        {days.map((d) => (
          <button
            key={d.getTime()}
            type="button"
            className={dayKey(d) === today ? 'cal-dayname today' : 'cal-dayname'}
            aria-label={t('calendar.openDay', { day: longFmt.format(d) })}
            onClick={() => onOpenDay(d)}
          >
            {dayFmt.format(d)}
          </button>
        ))}
      </div>
      <div className="cal-scroll" ref={scroller}>
        <div className="cal-body" style={{ gridTemplateColumns: `56px repeat(${days.length}, 1fr)`, height: 24 * HOUR }}>
          <div className="cal-hours" aria-hidden="true">
            {Array.from({ length: 24 }, (_, h) => (
              <span key={h} style={{ top: h * HOUR }}>
                {h ? hourFmt.format(new Date(2000, 0, 1, h)) : ''}
              </span>
            ))}
          </div>
          {days.map((d) => {
            const mine = pieces(entries, d, addDays(d, 1));
            return (
              <div
                key={d.getTime()}
                className={dayKey(d) === today ? 'cal-col today' : 'cal-col'}
                data-day={dayKey(d)}
                role="group"
                aria-label={longFmt.format(d)}
                onDragOver={movable ? (e) => e.preventDefault() : undefined}
                onDrop={movable ? (e) => drop(e, d) : undefined}
              >
                {lanes(mine).map(({ entry, lane, of }) => {
                  const top = entry.offset > 0 ? 0 : Math.min((minuteOfDay(entry.start) / 60) * HOUR, 24 * HOUR - HOUR / 2);
                  const minutes = (entry.end.getTime() - entry.start.getTime()) / 60000;
                  const height = Math.max(HOUR / 2, Math.min((minutes / 60) * HOUR, 24 * HOUR - top));
                  return (
                    <EntryLink
                      key={entry.a.id}
                      entry={entries.find((x) => x.a.id === entry.a.id) ?? entry}
                      offset={entry.offset}
                      movable={movable}
                      withMinutes
                      style={{ top, height, left: `calc(${(lane / of) * 100}% + 2px)`, width: `calc(${100 / of}% - 4px)` }}
                      onDragStart={onDragStart}
                      onKeyMove={onKeyMove}
                    />
                  );
                })}
                {dayKey(d) === today && <NowLine />}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function NowLine() {
  const now = new Date();
  return <div className="cal-now" style={{ top: (minuteOfDay(now) / 60) * HOUR }} aria-hidden="true" />;
}

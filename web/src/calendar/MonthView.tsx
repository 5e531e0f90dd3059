import type { DragEvent } from 'react';
import { userLocale } from '../format';
import { t } from '../i18n';
import { addDays, dayKey } from './dates';
import { EntryLink } from './EntryLink';
import { onDayEntries, type Entry } from './useCalendar';

interface Props {
  days: Date[];
  month: number;
  entries: Entry[];
  movable: boolean;
  onDragStart: (e: DragEvent<HTMLAnchorElement>, entry: Entry, offset: number) => void;
  /** A drop on a day: the entry keeps its time of day. */
  onDropDay: (e: DragEvent<HTMLElement>, day: Date) => void;
  onKeyMove: (entry: Entry, days: number, minutes: number) => void;
  onOpenDay: (d: Date) => void;
}

const SHOWN = 4;
const weekdayFmt = new Intl.DateTimeFormat(userLocale, { weekday: 'short' });
const longFmt = new Intl.DateTimeFormat(userLocale, { weekday: 'long', month: 'long', day: 'numeric' });

/** The month view: whole weeks, each day with its entries in time order. */
export function MonthView({ days, month, entries, movable, onDragStart, onDropDay, onKeyMove, onOpenDay }: Props) {
  const today = dayKey(new Date());
  const weeks: Date[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  const sorted = [...entries].sort((x, y) => x.start.getTime() - y.start.getTime());
  return (
    <table className="cal-month">
      <thead>
        <tr>
          {days.slice(0, 7).map((d) => (
            <th key={d.getTime()} scope="col">
              {weekdayFmt.format(d)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((w) => (
          <tr key={w[0].getTime()}>
            {w.map((d) => {
              const mine = onDayEntries(sorted, d, addDays(d, 1));
              const cls = ['cal-cell', d.getMonth() !== month ? 'other-month' : '', dayKey(d) === today ? 'today' : ''].filter(Boolean).join(' ');
              return (
                <td
                  key={d.getTime()}
                  className={cls}
                  data-day={dayKey(d)}
                  aria-label={longFmt.format(d)}
                  onDragOver={movable ? (e) => e.preventDefault() : undefined}
                  onDrop={movable ? (e) => onDropDay(e, d) : undefined}
                >
                  <button type="button" className="cal-date" aria-label={t('calendar.openDay', { day: longFmt.format(d) })} onClick={() => onOpenDay(d)}>
                    {d.getDate()}
                  </button>
                  <div className="cal-cell-entries">
                    {mine.slice(0, SHOWN).map((e) => (
                      <EntryLink key={e.a.id} entry={e} movable={movable} withMinutes={false} onDragStart={onDragStart} onKeyMove={onKeyMove} />
                    ))}
                    {mine.length > SHOWN && (
                      <button type="button" className="cal-more" onClick={() => onOpenDay(d)}>
                        {t('calendar.more', { n: mine.length - SHOWN })}
                      </button>
                    )}
                  </div>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

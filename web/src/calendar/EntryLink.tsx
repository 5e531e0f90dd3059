import type { DragEvent, KeyboardEvent, CSSProperties } from 'react';
import { activityTitle } from '../activities/activityText';
import { userLocale } from '../format';
import { t } from '../i18n';
import type { Entry } from './useCalendar';

const timeFmt = new Intl.DateTimeFormat(userLocale, { hour: 'numeric', minute: '2-digit' });
export const formatTime = (d: Date) => timeFmt.format(d);

interface Props {
  entry: Entry;
  style?: CSSProperties;
  /** Dragging is offered only when the role may change activities (the server decides each one). */
  movable: boolean;
  /** `offset`: minutes from the entry's start to the top of this piece of it (a meeting from the day before). */
  onDragStart: (e: DragEvent<HTMLAnchorElement>, entry: Entry, offset: number) => void;
  offset?: number;
  /** Alt+arrows move the entry without a mouse: ±1 day, and in the time grid ±15 minutes. */
  onKeyMove: (entry: Entry, days: number, minutes: number) => void;
  withMinutes: boolean;
}

/** A task or meeting in the calendar: a link to the activity that can be dragged elsewhere. */
export function EntryLink({ entry, style, movable, onDragStart, onKeyMove, withMinutes, offset = 0 }: Props) {
  const { a, start, end } = entry;
  const title = activityTitle(a);
  const when = a.kind === 'meeting' ? `${formatTime(start)}–${formatTime(end)}` : formatTime(start);
  function onKey(e: KeyboardEvent<HTMLAnchorElement>) {
    if (!movable || !e.altKey) return;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ...(withMinutes ? { ArrowUp: [0, -15] as [number, number], ArrowDown: [0, 15] as [number, number] } : {}),
    };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    e.stopPropagation();
    onKeyMove(entry, m[0], m[1]);
  }
  const done = a.status === 'done' || a.status === 'held';
  return (
    <a
      href={`#/activities/${a.id}`}
      className={`cal-entry cal-${a.kind}${done ? ' cal-done' : ''}${a.overdue ? ' cal-overdue' : ''}`}
      style={style}
      draggable={movable}
      data-id={a.id}
      aria-label={`${t(a.kind === 'task' ? 'calendar.taskAt' : 'calendar.meetingAt', { time: when, title })}${movable ? `. ${t('calendar.moveHint')}` : ''}`}
      onDragStart={(e) => onDragStart(e, entry, offset)}
      onKeyDown={onKey}
    >
      <span className="cal-time">{when}</span> <span className="cal-title">{title}</span>
    </a>
  );
}

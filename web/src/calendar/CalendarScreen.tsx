import './calendar.css';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { currentUser } from '../api';
import { useUsers } from '../common/inputs';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { userLocale } from '../format';
import { t } from '../i18n';
import { can, scopeOf } from '../rights';
import { replaceQuery } from '../router';
import { activityTitle } from '../activities/activityText';
import { addDays, dayKey, onDay, parseDay, startOfDay, step, visibleDays, VIEWS, type View } from './dates';
import { MonthView } from './MonthView';
import { HOUR, TimeGrid } from './TimeGrid';
import { toEntry, useCalendar, type Entry, type Who } from './useCalendar';

type Role = 'any' | 'owner' | 'participant';
const ROLES: Role[] = ['any', 'owner', 'participant'];

const monthFmt = new Intl.DateTimeFormat(userLocale, { month: 'long', year: 'numeric' });
const dayFmt = new Intl.DateTimeFormat(userLocale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const rangeFmt = new Intl.DateTimeFormat(userLocale, { year: 'numeric', month: 'short', day: 'numeric' });

function periodLabel(view: View, anchor: Date, days: Date[]): string {
  if (view === 'day') return dayFmt.format(anchor);
  if (view === 'month') return monthFmt.format(anchor);
  return rangeFmt.formatRange(days[0], days[days.length - 1]);
}

/** Keys typed into a field are the field's; the calendar's shortcuts work everywhere else. */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName));
}

/**
 * #/calendar?view=week&date=2026-11-27&user_id=3&role=owner (or team=1): tasks at their deadlines and
 * meetings from start to end, in the browser's time zone; drag an entry (or Alt+arrows) to reschedule.
 */
export function CalendarScreen({ query }: { query: URLSearchParams }) {
  useTitle(t('calendar.title'));
  const toast = useToast();
  const me = currentUser();
  const [view, setView] = useState<View>(() => (VIEWS.includes(query.get('view') as View) ? (query.get('view') as View) : 'week'));
  const [anchor, setAnchor] = useState<Date>(() => parseDay(query.get('date')));
  const [person, setPerson] = useState<number | 'team'>(() =>
    query.get('team') && me?.department_id ? 'team' : Number(query.get('user_id')) || me?.id || 0,
  );
  const [role, setRole] = useState<Role>(() => (ROLES.includes(query.get('role') as Role) ? (query.get('role') as Role) : 'any'));
  const [banner, setBanner] = useState<string | null>(null);
  const teamScope = scopeOf('activities', 'read');
  const mayPick = teamScope !== 'own' && teamScope !== 'none';
  const movable = can('activities', 'update');
  const users = useUsers();

  const days = useMemo(() => visibleDays(view, anchor), [view, anchor]);
  const from = days[0];
  const to = addDays(days[days.length - 1], 1);
  const who: Who = person === 'team' && me?.department_id ? { department: me.department_id } : { user: person === 'team' ? (me?.id ?? 0) : person, role };
  const { items, error, reload, reschedule } = useCalendar(who, from, to);
  const entries = useMemo(() => (items ?? []).map(toEntry).filter((e): e is Entry => e !== null), [items]);

  useEffect(() => {
    const q: Record<string, string> = { view, date: dayKey(anchor) };
    if (person === 'team') q.team = '1';
    else if (person !== me?.id) q.user_id = String(person);
    if (role !== 'any' && person !== 'team') q.role = role;
    replaceQuery(q);
  }, [view, anchor, person, role]);

  const go = useCallback((dir: -1 | 0 | 1) => setAnchor((a) => (dir === 0 ? startOfDay(new Date()) : step(view, a, dir))), [view]);

  // Shortcuts: ← and → (or P and N) for the previous and next period, T for today, D, W and M for the views.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || document.querySelector('[role="alertdialog"]')) return;
      const k = e.key.toLowerCase();
      if (k === 'arrowleft' || k === 'p') go(-1);
      else if (k === 'arrowright' || k === 'n') go(1);
      else if (k === 't') go(0);
      else if (k === 'd') setView('day');
      else if (k === 'w') setView('week');
      else if (k === 'm') setView('month');
      else return;
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  // The entry being dragged, and where in it (minutes from its start) the pointer holds it.
  const drag = useRef<{ entry: Entry; grab: number } | null>(null);
  function onDragStart(e: DragEvent<HTMLAnchorElement>, entry: Entry, offset: number) {
    const rect = e.currentTarget.getBoundingClientRect();
    const grab = view === 'month' ? 0 : offset + Math.max(0, ((e.clientY - rect.top) / HOUR) * 60);
    drag.current = { entry, grab };
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(entry.a.id));
  }

  async function move(entry: Entry, start: Date) {
    setBanner(null);
    const err = await reschedule(entry.a, start);
    if (err) setBanner(t('calendar.moveFailed', { title: activityTitle(entry.a), reason: errorText(err) }));
    else if (start.getTime() !== entry.start.getTime()) toast(t('calendar.moved', { title: activityTitle(entry.a) }));
  }
  function dropAt(e: DragEvent<HTMLElement>, at: Date) {
    e.preventDefault();
    const d = drag.current;
    drag.current = null;
    if (d) void move(d.entry, at);
  }
  function dropOnDay(e: DragEvent<HTMLElement>, day: Date) {
    const d = drag.current;
    if (d) dropAt(e, onDay(d.entry.start, day));
  }
  function keyMove(entry: Entry, dayStep: number, minutes: number) {
    const at = addDays(entry.start, dayStep);
    at.setMinutes(at.getMinutes() + minutes);
    void move(entry, at);
  }
  function openDay(d: Date) {
    setAnchor(startOfDay(d));
    setView('day');
  }

  const label = periodLabel(view, anchor, days);
  return (
    <section className="page calendar-page">
      <header className="page-header">
        <div>
          <h1>{t('calendar.title')}</h1>
          <div className="subtitle" aria-live="polite">
            {label}
          </div>
        </div>
        <div className="page-actions">
          {mayPick && (
            <label className="inline-field">
              <span>{t('calendar.whose')}</span>
              <select id="calendar-person" className="input" value={String(person)} onChange={(e) => setPerson(e.target.value === 'team' ? 'team' : Number(e.target.value))}>
                {me?.department_id ? <option value="team">{t('calendar.myDepartment')}</option> : null}
                {users
                  .filter((u) => u.active !== false || u.id === person)
                  .map((u) => (
                    <option key={u.id} value={String(u.id)}>
                      {u.name || u.email}
                    </option>
                  ))}
                {typeof person === 'number' && !users.some((u) => u.id === person) && <option value={String(person)}>{t('common.userN', { id: person })}</option>}
              </select>
            </label>
          )}
          {person !== 'team' && (
            <label className="inline-field">
              <span>{t('calendar.role')}</span>
              <select id="calendar-role" className="input" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`calendar.role.${r}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {can('activities', 'create') && (
            <a className="btn btn-primary" href="#/activities/new?kind=meeting&return=/calendar">
              + {t('activity.new.meeting')}
            </a>
          )}
        </div>
      </header>
      <div className="toolbar cal-toolbar">
        <div className="btn-group" role="group" aria-label={t('calendar.period')}>
          <button type="button" className="btn btn-sm" onClick={() => go(-1)} aria-keyshortcuts="ArrowLeft P">
            ‹ {t('calendar.previous')}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => go(0)} aria-keyshortcuts="T">
            {t('calendar.today')}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => go(1)} aria-keyshortcuts="ArrowRight N">
            {t('calendar.next')} ›
          </button>
        </div>
        <div className="btn-group" role="group" aria-label={t('calendar.view')}>
          {VIEWS.map((v) => (
            <button key={v} type="button" className={v === view ? 'btn btn-sm active' : 'btn btn-sm'} aria-pressed={v === view} aria-keyshortcuts={v.charAt(0).toUpperCase()} onClick={() => setView(v)}>
              {t(`calendar.view.${v}`)}
            </button>
          ))}
        </div>
        <span className="muted small cal-keys">{t('calendar.keys')}</span>
      </div>
      {banner && <ErrorBanner message={banner} onDismiss={() => setBanner(null)} />}
      {error !== null && (
        <ErrorBanner error={error}>
          <button type="button" className="btn btn-sm" onClick={() => void reload()}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      )}
      <div className="card cal-card" aria-busy={items === null || undefined} data-view={view} data-from={dayKey(from)}>
        {view === 'month' ? (
          <MonthView days={days} month={anchor.getMonth()} entries={entries} movable={movable} onDragStart={onDragStart} onDropDay={dropOnDay} onKeyMove={keyMove} onOpenDay={openDay} />
        ) : (
          <TimeGrid
            days={days}
            entries={entries}
            movable={movable}
            onDragStart={onDragStart}
            onDrop={dropAt}
            grabMinutes={() => drag.current?.grab ?? 0}
            onKeyMove={keyMove}
            onOpenDay={openDay}
          />
        )}
      </div>
    </section>
  );
}

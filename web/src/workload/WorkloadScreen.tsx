import { useCallback, useEffect, useState } from 'react';
import { activities, departments, etagOf, workload, type Department, type Workload, type WorkloadDay, type WorkloadPerson } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { navigate } from '../router';
import { localDate } from '../activities/time';
import './workload.css';

const DAYS = 21;

/** The colour band of a day: off (no hours, no work), free, low, mid, high, over (red). */
export function loadBand(d: WorkloadDay): string {
  if (d.overloaded) return 'over';
  if (d.capacity_min === 0) return 'off';
  const p = d.load_pct ?? 0;
  if (p === 0) return 'free';
  if (p < 50) return 'low';
  if (p < 85) return 'mid';
  return 'high';
}

const hours = (min: number) => (min % 60 === 0 ? String(min / 60) : (min / 60).toFixed(1));

function weekday(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString(undefined, { weekday: 'short', timeZone: 'UTC' });
}

/** #/workload?department_id=N&from=YYYY-MM-DD: a head's team, people by days, coloured by load. */
export function WorkloadScreen({ query }: { query: URLSearchParams }) {
  const dept = query.get('department_id') ?? '';
  const from = query.get('from') ?? localDate();
  const [depts, setDepts] = useState<Department[]>([]);
  const [data, setData] = useState<Workload | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cell, setCell] = useState<{ user: number; date: string } | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    departments.list().then(setDepts, () => setDepts([]));
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    workload
      .get({ department_id: dept || undefined, from, days: DAYS }, ctl.signal)
      .then(setData, (e) => {
        if (!ctl.signal.aborted) {
          setData(null);
          setError(e);
        }
      });
    return () => ctl.abort();
  }, [dept, from, tick]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  const go = (patch: Record<string, string>) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) {
      if (v) q.set(k, v);
      else q.delete(k);
    }
    navigate(`/workload?${q.toString()}`);
  };

  const person = data && cell ? data.people.find((p) => p.user_id === cell.user) : undefined;
  const day = person && cell ? person.days.find((d) => d.date === cell.date) : undefined;

  return (
    <section className="page workload-page">
      <header className="page-header">
        <h1>{t('workload.title')}</h1>
      </header>
      <div className="toolbar workload-toolbar">
        <label>
          <span className="muted small">{t('workload.department')}</span>
          <select className="input" name="department_id" value={dept} onChange={(e) => go({ department_id: e.target.value })}>
            <option value="">{t('workload.myPeople')}</option>
            {depts.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="muted small">{t('workload.from')}</span>
          <input className="input" type="date" name="from" value={from} onChange={(e) => go({ from: e.target.value })} />
        </label>
        <Legend />
      </div>
      {error != null && <ErrorBanner message={errorText(error)} />}
      {data && data.people.length === 0 && <div className="card placeholder">{t('workload.nobody')}</div>}
      {data && data.people.length > 0 && <Heatmap data={data} selected={cell} onPick={setCell} />}
      {data && person && day && <DayPanel person={person} day={day} team={data.people} onChanged={reload} onClose={() => setCell(null)} />}
    </section>
  );
}

function Legend() {
  const bands = ['free', 'low', 'mid', 'high', 'over', 'off'] as const;
  return (
    <ul className="workload-legend" aria-label={t('workload.legend')}>
      {bands.map((b) => (
        <li key={b}>
          <span className={`wl-swatch wl-${b}`} aria-hidden="true" />
          {t(`workload.band.${b}`)}
        </li>
      ))}
    </ul>
  );
}

function Heatmap({ data, selected, onPick }: { data: Workload; selected: { user: number; date: string } | null; onPick: (c: { user: number; date: string }) => void }) {
  const dates = data.people[0]?.days.map((d) => d.date) ?? [];
  return (
    <div className="workload-scroll card">
      <div className="workload-grid" role="grid" aria-label={t('workload.title')} style={{ gridTemplateColumns: `minmax(10rem, 14rem) repeat(${dates.length}, minmax(2.4rem, 1fr))` }}>
        <div role="row" className="wl-row">
          <div role="columnheader" className="wl-head wl-name">
            {t('workload.person')}
          </div>
          {dates.map((d) => (
            <div role="columnheader" key={d} className="wl-head" title={d}>
              <span className="wl-wd">{weekday(d)}</span>
              <span>{d.slice(8)}</span>
            </div>
          ))}
        </div>
        {data.people.map((p) => (
          <div role="row" className="wl-row" key={p.user_id}>
            <div role="rowheader" className="wl-name">
              <span>{p.name}</span>
              <span className="muted small">{p.load_pct === null ? '—' : `${p.load_pct}%`}</span>
            </div>
            {p.days.map((d) => {
              const band = loadBand(d);
              const label = t('workload.cellLabel', { name: p.name, date: d.date, planned: hours(d.planned_min), capacity: hours(d.capacity_min) });
              const isSel = selected?.user === p.user_id && selected.date === d.date;
              return (
                <button
                  type="button"
                  role="gridcell"
                  key={d.date}
                  className={`wl-cell wl-${band}${isSel ? ' wl-selected' : ''}`}
                  data-user={p.user_id}
                  data-date={d.date}
                  data-band={band}
                  title={label}
                  aria-label={label}
                  aria-selected={isSel}
                  onClick={() => onPick({ user: p.user_id, date: d.date })}
                >
                  {d.absent ? t('workload.away') : d.load_pct === null ? '!' : d.planned_min > 0 ? d.load_pct : ''}
                </button>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

function DayPanel({ person, day, team, onChanged, onClose }: { person: WorkloadPerson; day: WorkloadDay; team: WorkloadPerson[]; onChanged: () => void; onClose: () => void }) {
  const toast = useToast();
  const [to, setTo] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const others = team.filter((p) => p.user_id !== person.user_id);

  async function reassign(id: number) {
    const target = Number(to[id]);
    if (!target) return;
    setBusy(id);
    setError(null);
    try {
      const cur = await activities.get(id);
      await activities.update(id, { owner_id: target }, etagOf(cur));
      toast(t('workload.reassigned', { name: others.find((p) => p.user_id === target)?.name ?? `#${target}` }));
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <aside className="card workload-panel" aria-label={t('workload.dayOf', { name: person.name, date: day.date })}>
      <header className="workload-panel-head">
        <h2>{t('workload.dayOf', { name: person.name, date: day.date })}</h2>
        <button type="button" className="btn btn-sm" onClick={onClose}>
          {t('common.close')}
        </button>
      </header>
      <p className="muted">
        {day.absent
          ? t('workload.absentDay')
          : t('workload.summary', { planned: hours(day.planned_min), capacity: hours(day.capacity_min), pct: day.load_pct === null ? '—' : `${day.load_pct}%` })}
      </p>
      {error != null && <ErrorBanner message={errorText(error)} />}
      {day.items.length === 0 ? (
        <p className="muted">{t('workload.noWork')}</p>
      ) : (
        <ul className="workload-items">
          {day.items.map((it) => (
            <li key={`${it.kind}-${it.id}`} className="workload-item" data-id={it.id}>
              <a href={`#/activities/${it.id}`}>{it.subject || `#${it.id}`}</a>
              <span className="muted small">
                {t(it.kind === 'task' ? 'workload.task' : 'workload.meeting')} · {t('workload.minutes', { n: it.minutes })}
                {!it.estimated && ` · ${t(it.kind === 'task' ? 'workload.noEstimate' : 'workload.noEnd')}`}
              </span>
              {it.kind === 'task' && others.length > 0 && (
                <span className="workload-reassign">
                  <select className="input input-sm" aria-label={t('workload.reassignTo')} value={to[it.id] ?? ''} onChange={(e) => setTo({ ...to, [it.id]: e.target.value })}>
                    <option value="">{t('workload.reassignTo')}</option>
                    {others.map((p) => (
                      <option key={p.user_id} value={String(p.user_id)}>
                        {p.name} ({p.days.find((d) => d.date === day.date)?.load_pct ?? '—'}%)
                      </option>
                    ))}
                  </select>
                  <button type="button" className="btn btn-sm" disabled={!to[it.id] || busy === it.id} onClick={() => reassign(it.id)}>
                    {t('workload.reassign')}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

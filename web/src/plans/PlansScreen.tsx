import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { plans, PLAN_METRICS, type PlanFact, type PlanGrid, type PlanImport, type PlanMetric, type PlanRow } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { navigate } from '../router';
import { ForecastView } from './ForecastView';
import './plans.css';

/** Money metrics are minor units of the base currency; the screen shows and takes major ones. */
const MONEY: PlanMetric[] = ['revenue_won', 'avg_deal_size'];
const show = (m: PlanMetric, v: number | null | undefined) =>
  v === null || v === undefined ? '' : MONEY.includes(m) ? (v / 100).toLocaleString(undefined, { maximumFractionDigits: 2 }) : v.toLocaleString();
/** Typed text to a stored target: null clears, undefined is not a number. */
function parse(m: PlanMetric, text: string): number | null | undefined {
  const s = text.trim().replace(/[\s,]/g, '');
  if (s === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return undefined;
  return MONEY.includes(m) ? Math.round(Number(s) * 100) : /^\d+$/.test(s) ? Number(s) : undefined;
}

/** A metric's name: a built-in one's label, or "Report #12" for a designer report. */
function metricLabel(m: PlanMetric): string {
  return m.startsWith('report:') ? t('plans.metric.report', { id: m.slice(7) }) : t(`plans.metric.${m}` as Parameters<typeof t>[0]);
}

function periods(): string[] {
  const y = new Date().getFullYear();
  const out: string[] = [];
  for (const yy of [y - 1, y, y + 1]) {
    out.push(String(yy));
    for (let q = 1; q <= 4; q++) out.push(`${yy}-Q${q}`);
    for (let m = 1; m <= 12; m++) out.push(`${yy}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

function currentQuarter(): string {
  const d = new Date();
  return `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`;
}

/** #/plans?period=2026-Q4&view=grid|fact: the plan grid editor and plan-fact. */
export function PlansScreen({ query }: { query: URLSearchParams }) {
  const period = query.get('period') ?? currentQuarter();
  const v = query.get('view');
  const view = v === 'fact' || v === 'forecast' ? v : 'grid';
  const go = (patch: Record<string, string>) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) q.set(k, v);
    navigate(`/plans?${q.toString()}`);
  };
  return (
    <section className="page plans-page">
      <header className="page-header">
        <h1>{t('plans.title')}</h1>
      </header>
      <div className="toolbar plans-toolbar">
        <label>
          <span className="muted small">{t('plans.period')}</span>
          <select className="input" value={period} onChange={(e) => go({ period: e.target.value })}>
            {periods().map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="tablist">
          <button type="button" role="tab" aria-selected={view === 'grid'} className={`btn btn-sm${view === 'grid' ? ' active' : ''}`} onClick={() => go({ view: 'grid' })}>
            {t('plans.grid')}
          </button>
          <button type="button" role="tab" aria-selected={view === 'fact'} className={`btn btn-sm${view === 'fact' ? ' active' : ''}`} onClick={() => go({ view: 'fact' })}>
            {t('plans.fact')}
          </button>
          <button type="button" role="tab" aria-selected={view === 'forecast'} className={`btn btn-sm${view === 'forecast' ? ' active' : ''}`} onClick={() => go({ view: 'forecast' })}>
            {t('forecast.title')}
          </button>
        </div>
      </div>
      {view === 'grid' ? <GridEditor key={period} period={period} /> : view === 'fact' ? <FactView key={period} period={period} /> : <ForecastView />}
    </section>
  );
}

const rowKey = (r: { scope: string; id: number | null }) => `${r.scope}:${r.id ?? 0}`;

function GridEditor({ period }: { period: string }) {
  const toast = useToast();
  const [grid, setGrid] = useState<PlanGrid | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pos, setPos] = useState<[number, number]>([0, 0]);
  const [editing, setEditing] = useState<string | null>(null);
  const table = useRef<HTMLTableElement>(null);

  useEffect(() => {
    plans.grid(period).then(setGrid, setError);
  }, [period]);

  useEffect(() => {
    if (editing === null) table.current?.querySelector<HTMLElement>(`[data-cell="${pos[0]}-${pos[1]}"]`)?.focus();
  }, [pos, editing]);

  if (error) return <ErrorBanner message={errorText(error)} />;
  if (!grid) return <div className="card placeholder">{t('common.loading')}</div>;

  async function save(r: PlanRow, m: PlanMetric, text: string) {
    const v = parse(m, text);
    if (v === undefined) {
      toast(t('plans.notANumber'));
      return;
    }
    try {
      setGrid(await plans.put(period, [{ scope: r.scope, id: r.id, metric: m, target: v }]));
      setEditing(null);
    } catch (e) {
      setError(e);
    }
  }

  async function split(r: PlanRow, m: PlanMetric) {
    try {
      const res = await plans.split({ department_id: r.id as number, metric: m, period, mode: 'equal' });
      toast(t('plans.splitDone', { n: res.people.length }));
      setGrid(await plans.grid(period));
    } catch (e) {
      toast(errorText(e));
    }
  }

  function onKey(e: KeyboardEvent, i: number, j: number) {
    if (!grid) return;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const mv = moves[e.key];
    if (mv) {
      e.preventDefault();
      setPos([Math.max(0, Math.min(grid.rows.length - 1, i + mv[0])), Math.max(0, Math.min(grid.metrics.length - 1, j + mv[1]))]);
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      setEditing(`${i}-${j}`);
    }
  }

  return (
    <div className="card plans-scroll">
      <ImportPanel onDone={() => plans.grid(period).then(setGrid, setError)} />
      <p className="muted small">{t('plans.gridHint')}</p>
      <table className="plans-grid" ref={table} role="grid" aria-label={t('plans.grid')}>
        <thead>
          <tr>
            <th scope="col">{t('plans.row')}</th>
            {grid.metrics.map((m) => (
              <th scope="col" key={m}>
                {metricLabel(m)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((r, i) => (
            <tr key={rowKey(r)} className={`plans-${r.scope}`}>
              <th scope="row">{r.scope === 'company' ? t('plans.company') : r.name}</th>
              {grid.metrics.map((m, j) => {
                const id = `${i}-${j}`;
                return (
                  <td key={m} data-cell={id} data-row={rowKey(r)} data-metric={m} tabIndex={pos[0] === i && pos[1] === j ? 0 : -1} onFocus={() => setPos([i, j])} onKeyDown={(e) => editing !== id && onKey(e, i, j)} onDoubleClick={() => setEditing(id)}>
                    {editing === id ? (
                      <input
                        className="input input-sm"
                        autoFocus
                        defaultValue={show(m, r.plan[m])}
                        aria-label={`${r.name} · ${metricLabel(m)}`}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') {
                            e.preventDefault();
                            void save(r, m, e.currentTarget.value);
                          } else if (e.key === 'Escape') {
                            e.preventDefault();
                            setEditing(null);
                          }
                        }}
                        onBlur={() => setEditing(null)}
                      />
                    ) : (
                      <span className="plans-value">
                        {show(m, r.plan[m])}
                        {r.scope === 'department' && r.plan[m] !== undefined && m !== 'avg_deal_size' && (
                          <button type="button" className="btn btn-xs plans-split" tabIndex={-1} title={t('plans.split')} onClick={() => split(r, m)}>
                            ÷
                          </button>
                        )}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FactView({ period }: { period: string }) {
  const [fact, setFact] = useState<PlanFact | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [metric, setMetric] = useState<PlanMetric>('revenue_won');

  useEffect(() => {
    plans.fact(period).then(setFact, setError);
  }, [period]);

  if (error) return <ErrorBanner message={errorText(error)} />;
  if (!fact) return <div className="card placeholder">{t('common.loading')}</div>;
  const metrics = fact.rows[0] ? (Object.keys(fact.rows[0].metrics) as PlanMetric[]) : [...PLAN_METRICS];
  return (
    <div className="card plans-scroll">
      <div className="plans-fact-head">
        <label>
          <span className="muted small">{t('plans.metric')}</span>
          <select className="input" value={metric} onChange={(e) => setMetric(e.target.value as PlanMetric)}>
            {metrics.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">{t('plans.days', { elapsed: fact.elapsed_days, total: fact.working_days, from: fact.from, to: fact.to })}</span>
      </div>
      <table className="plans-fact">
        <thead>
          <tr>
            <th scope="col">{t('plans.row')}</th>
            <th scope="col">{t('plans.plan')}</th>
            <th scope="col">{t('plans.actual')}</th>
            <th scope="col" className="plans-bar-col">%</th>
            <th scope="col">{t('plans.projection')}</th>
            <th scope="col">{t('plans.pace')}</th>
          </tr>
        </thead>
        <tbody>
          {fact.rows.map((r) => {
            const c = r.metrics[metric];
            if (!c) return null;
            const pct = c.percent ?? 0;
            return (
              <tr key={rowKey(r)} className={`plans-${r.scope}${c.behind ? ' plans-behind' : ''}`} data-row={rowKey(r)}>
                <th scope="row">{r.scope === 'company' ? t('plans.company') : r.name}</th>
                <td>{show(metric, c.plan)}</td>
                <td>{show(metric, c.actual)}</td>
                <td className="plans-bar-col">
                  <span className="plans-bar" aria-hidden="true">
                    <span className="plans-bar-fill" style={{ width: `${Math.min(100, pct)}%` }} />
                  </span>
                  <span className="plans-pct">{c.percent === null ? '—' : `${c.percent}%`}</span>
                </td>
                <td>{show(metric, c.projection)}</td>
                <td>
                  {show(metric, c.pace_needed)}
                  {c.behind && <span className="badge badge-danger plans-behind-badge">{t('plans.behind')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Targets from a CSV or XLSX file: checked first (every bad cell listed), imported when clean. */
function ImportPanel({ onDone }: { onDone: () => void }) {
  const toast = useToast();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<PlanImport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(dry: boolean) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const res = await plans.importFile(file, dry).done;
      setCheck(res);
      if (!dry) {
        toast(t('plans.import.done', { n: res.written }));
        setFile(null);
        setCheck(null);
        onDone();
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="plans-import">
      <summary>{t('plans.import.title')}</summary>
      <p className="muted small">{t('plans.import.hint')}</p>
      <div className="plans-import-row">
        <input
          type="file"
          id="plans-import-file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          aria-label={t('plans.import.file')}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setCheck(null);
          }}
        />
        <button type="button" className="btn btn-sm" disabled={!file || busy} onClick={() => run(true)}>
          {t('plans.import.check')}
        </button>
        <button type="button" className="btn btn-sm btn-primary" disabled={!file || busy || !check || check.error_count > 0} onClick={() => run(false)}>
          {t('plans.import.run')}
        </button>
      </div>
      {error ? <ErrorBanner message={errorText(error)} /> : null}
      {check && (
        <div className="plans-import-result" role="status">
          {check.error_count === 0 ? (
            <p>{t('plans.import.clean', { n: check.rows })}</p>
          ) : (
            <>
              <p className="plans-import-bad">{t('plans.import.bad', { n: check.error_count })}</p>
              <table className="plans-fact plans-import-errors">
                <thead>
                  <tr>
                    <th scope="col">{t('plans.import.row')}</th>
                    <th scope="col">{t('plans.import.column')}</th>
                    <th scope="col">{t('plans.import.value')}</th>
                    <th scope="col">{t('plans.import.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {check.errors.map((e, i) => (
                    <tr key={i}>
                      <td>{e.row}</td>
                      <td>{e.column}</td>
                      <td>{e.value}</td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </details>
  );
}

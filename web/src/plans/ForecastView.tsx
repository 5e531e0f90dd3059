import { useEffect, useState } from 'react';
import { forecast, sales, type Forecast, type Pipeline } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { t } from '../i18n';
import { niceMax, PALETTE } from '../reports/charts/series';

/** Minor units of the base currency as major ones. */
const money = (v: number | null | undefined) => (v === null || v === undefined ? '—' : (v / 100).toLocaleString(undefined, { maximumFractionDigits: 0 }));
const pct = (bp: number | null | undefined) => (bp === null || bp === undefined ? '—' : `${(bp / 100).toFixed(1)}%`);

const W = 760;
const H = 300;
const LEFT = 56;
const RIGHT = 12;
const TOP = 16;
const BOTTOM = 40;

/**
 * Past months (actual and the backtest's forecast) then the coming ones (pipeline bars, history and
 * combined lines, the combined range as a band), on one axis of months.
 */
function ForecastChart({ f }: { f: Forecast }) {
  const past = f.backtest.months;
  const labels = [...past.map((m) => m.month), ...f.forecast.map((m) => m.month)];
  const max = niceMax(
    Math.max(0, ...past.map((m) => Math.max(m.actual, m.forecast ?? 0)), ...f.forecast.map((m) => Math.max(m.combined_high, m.pipeline, m.history ?? 0))),
  );
  const slot = (W - LEFT - RIGHT) / Math.max(1, labels.length);
  const x = (i: number) => LEFT + slot * i + slot / 2;
  const y = (v: number) => TOP + (H - TOP - BOTTOM) * (1 - v / max);
  const line = (pts: [number, number | null][]) =>
    pts
      .filter((p): p is [number, number] => p[1] !== null)
      .map(([i, v], k) => `${k ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
  const off = past.length;
  const band = [
    ...f.forecast.map((m, i) => `${x(off + i).toFixed(1)},${y(m.combined_high).toFixed(1)}`),
    ...f.forecast.map((m, i) => `${x(off + i).toFixed(1)},${y(m.combined_low).toFixed(1)}`).reverse(),
  ].join(' ');
  const bar = Math.max(2, Math.min(28, slot * 0.5));
  return (
    <svg className="forecast-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('forecast.chart')} preserveAspectRatio="xMidYMid meet">
      <title>{t('forecast.chart')}</title>
      {[0, 0.5, 1].map((k) => (
        <g key={k}>
          <line x1={LEFT} x2={W - RIGHT} y1={y(max * k)} y2={y(max * k)} className="chart-grid" />
          <text x={LEFT - 6} y={y(max * k) + 4} textAnchor="end" className="chart-label">
            {money(max * k)}
          </text>
        </g>
      ))}
      <line x1={x(off) - slot / 2} x2={x(off) - slot / 2} y1={TOP} y2={H - BOTTOM} className="forecast-now" />
      <polygon points={band} className="forecast-band" />
      {f.forecast.map((m, i) => (
        <rect key={m.month} x={x(off + i) - bar / 2} y={y(m.pipeline)} width={bar} height={Math.max(1, H - BOTTOM - y(m.pipeline))} rx={2} fill={PALETTE[0]} opacity={0.55}>
          <title>{`${m.month} · ${t('forecast.pipeline')}: ${money(m.pipeline)}`}</title>
        </rect>
      ))}
      <path d={line(past.map((m, i) => [i, m.actual]))} className="forecast-line" stroke={PALETTE[1]} />
      <path d={line(past.map((m, i) => [i, m.forecast]))} className="forecast-line forecast-dashed" stroke={PALETTE[2]} />
      <path d={line(f.forecast.map((m, i) => [off + i, m.history]))} className="forecast-line forecast-dashed" stroke={PALETTE[2]} />
      <path d={line(f.forecast.map((m, i) => [off + i, m.combined]))} className="forecast-line forecast-combined" stroke={PALETTE[4]} />
      {labels.map((l, i) => (
        <text key={l} x={x(i)} y={H - BOTTOM + 16} textAnchor="middle" className="chart-label">
          {l.slice(2)}
        </text>
      ))}
    </svg>
  );
}

function Legend() {
  const items: [string, string, string][] = [
    ['forecast.actual', PALETTE[1], ''],
    ['forecast.history', PALETTE[2], 'dashed'],
    ['forecast.pipeline', PALETTE[0], 'bar'],
    ['forecast.combined', PALETTE[4], ''],
    ['forecast.range', '', 'band'],
  ];
  return (
    <ul className="forecast-legend">
      {items.map(([k, c, kind]) => (
        <li key={k}>
          <span className={`forecast-key forecast-key-${kind || 'line'}`} style={c ? { background: c } : undefined} />
          {t(k as Parameters<typeof t>[0])}
        </li>
      ))}
    </ul>
  );
}

/** #/plans?view=forecast: the revenue forecast for the coming months and how the method did. */
export function ForecastView() {
  const [months, setMonths] = useState(6);
  const [pipeline, setPipeline] = useState('');
  const [pipes, setPipes] = useState<Pipeline[]>([]);
  const [f, setF] = useState<Forecast | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    sales.pipelines().then(setPipes, () => setPipes([]));
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    forecast.get({ months, pipeline_id: pipeline || undefined }, ac.signal).then(setF, (e) => {
      if (!ac.signal.aborted) setError(e);
    });
    return () => ac.abort();
  }, [months, pipeline]);

  return (
    <div className="card forecast">
      <div className="plans-fact-head">
        <label>
          <span className="muted small">{t('forecast.months')}</span>
          <select className="input" value={months} onChange={(e) => setMonths(Number(e.target.value))} aria-label={t('forecast.months')}>
            {[3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="muted small">{t('forecast.pipelineFilter')}</span>
          <select className="input" value={pipeline} onChange={(e) => setPipeline(e.target.value)} aria-label={t('forecast.pipelineFilter')}>
            <option value="">{t('forecast.allPipelines')}</option>
            {pipes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {f && (
          <span className="muted small" data-testid="forecast-summary">
            {t('forecast.summary', { currency: f.base_currency, trend: f.trend_bp === null ? '—' : pct(f.trend_bp - 10000), mape: pct(f.backtest.mape_bp) })}
          </span>
        )}
      </div>
      {error ? (
        <ErrorBanner message={errorText(error)} />
      ) : !f ? (
        <div className="placeholder">{t('common.loading')}</div>
      ) : (
        <>
          <ForecastChart f={f} />
          <Legend />
          <table className="plans-fact forecast-table" aria-label={t('forecast.title')}>
            <thead>
              <tr>
                <th scope="col">{t('forecast.month')}</th>
                <th scope="col">{t('forecast.pipeline')}</th>
                <th scope="col">{t('forecast.history')}</th>
                <th scope="col">{t('forecast.combined')}</th>
                <th scope="col">{t('forecast.range')}</th>
              </tr>
            </thead>
            <tbody>
              {f.forecast.map((m) => (
                <tr key={m.month} data-month={m.month}>
                  <th scope="row">{m.month}</th>
                  <td>
                    {money(m.pipeline)} <span className="muted small">({m.pipeline_deals})</span>
                  </td>
                  <td>{money(m.history)}</td>
                  <td>
                    <strong>{money(m.combined)}</strong>
                  </td>
                  <td>
                    {money(m.combined_low)} – {money(m.combined_high)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            {t('forecast.apart', { undated: f.undated.count, beyond: f.beyond.count, unconverted: f.unconverted })}
          </p>
          <h3>{t('forecast.backtest')}</h3>
          <table className="plans-fact forecast-backtest" aria-label={t('forecast.backtest')}>
            <thead>
              <tr>
                <th scope="col">{t('forecast.month')}</th>
                <th scope="col">{t('forecast.actual')}</th>
                <th scope="col">{t('forecast.backtestForecast')}</th>
                <th scope="col">{t('forecast.error')}</th>
              </tr>
            </thead>
            <tbody>
              {f.backtest.months.map((m) => (
                <tr key={m.month}>
                  <th scope="row">{m.month}</th>
                  <td>{money(m.actual)}</td>
                  <td>{money(m.forecast)}</td>
                  <td>{pct(m.error_bp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details className="forecast-method">
            <summary>{t('forecast.howTitle')}</summary>
            <p>{t('forecast.howPipeline')}</p>
            <p>{t('forecast.howHistory')}</p>
            <p>{t('forecast.howCombined')}</p>
            <p>{t('forecast.howBacktest')}</p>
          </details>
        </>
      )}
    </div>
  );
}

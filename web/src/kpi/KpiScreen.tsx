import { useEffect, useState } from 'react';
import { ApiError, kpi, type KpiResults, type KpiScorecard, type User } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { navigate } from '../router';
import { ScorecardEditor } from './ScorecardEditor';
import { formatValue, periodsOf, currentPeriod, points, ruleText } from './format';
import './kpi.css';

type View = 'my' | 'team' | 'cards';

/** #/kpi?view=my|team|cards&scorecard=N&period=2026-11: My KPI, a head's team, the admin's editor. */
export function KpiScreen({ query, me }: { query: URLSearchParams; me: User }) {
  const [cards, setCards] = useState<KpiScorecard[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const view: View = query.get('view') === 'team' ? 'team' : query.get('view') === 'cards' && me.is_admin ? 'cards' : 'my';

  useEffect(() => {
    kpi.list().then(setCards, setError);
  }, [tick]);

  const go = (patch: Record<string, string>) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) q.set(k, v);
    navigate(`/kpi?${q.toString()}`);
  };
  const card = cards?.find((c) => String(c.id) === query.get('scorecard')) ?? cards?.[0];
  const period = card && query.get('period') && periodsOf(card.period_kind).includes(query.get('period') as string) ? (query.get('period') as string) : card ? currentPeriod(card.period_kind) : '';
  const tabs: [View, string][] = [['my', t('kpi.my')], ['team', t('kpi.team')], ...(me.is_admin ? [['cards', t('kpi.cards')] as [View, string]] : [])];

  return (
    <section className="page kpi-page">
      <header className="page-header">
        <h1>{t('kpi.title')}</h1>
      </header>
      <div className="toolbar kpi-toolbar">
        {view !== 'cards' && card && cards && (
          <>
            <label>
              <span className="muted small">{t('kpi.scorecard')}</span>
              <select className="input" value={card.id} onChange={(e) => go({ scorecard: e.target.value })}>
                {cards.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="muted small">{t('kpi.period')}</span>
              <select className="input" value={period} onChange={(e) => go({ period: e.target.value })}>
                {periodsOf(card.period_kind).map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <div className="segmented" role="tablist">
          {tabs.map(([v, label]) => (
            <button key={v} type="button" role="tab" aria-selected={view === v} className={`btn btn-sm${view === v ? ' active' : ''}`} onClick={() => go({ view: v })}>
              {label}
            </button>
          ))}
        </div>
      </div>
      {error ? (
        <ErrorBanner message={errorText(error)} />
      ) : !cards ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : view === 'cards' ? (
        <ScorecardEditor cards={cards} onChanged={() => setTick((x) => x + 1)} />
      ) : !card ? (
        <div className="card placeholder">{t('kpi.none')}</div>
      ) : view === 'my' ? (
        <MyKpi key={`${card.id}:${period}`} card={card} period={period} me={me} />
      ) : (
        <TeamKpi key={`${card.id}:${period}`} card={card} period={period} me={me} />
      )}
    </section>
  );
}

function useResults(card: KpiScorecard, period: string, userId?: number) {
  const [res, setRes] = useState<KpiResults | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    kpi.results(card.id, period, userId).then(setRes, setError);
  }, [card.id, period, userId]);
  return { res, setRes, error };
}

/** One's own results, line by line, with a bar per line. */
function MyKpi({ card, period, me }: { card: KpiScorecard; period: string; me: User }) {
  const { res, error } = useResults(card, period, me.id);
  if (error instanceof ApiError && error.status === 404) return <div className="card placeholder">{t('kpi.notYours')}</div>;
  if (error) return <ErrorBanner message={errorText(error)} />;
  if (!res) return <div className="card placeholder">{t('common.loading')}</div>;
  const p = res.people[0];
  return (
    <div className="card kpi-mine">
      <div className="kpi-total">
        <span className="kpi-total-value" data-testid="kpi-total">
          {points(p.total_bp)}
        </span>
        <span className="muted">{t('kpi.points')}</span>
        {p.closed && <span className="badge kpi-closed">{t('kpi.closed')}</span>}
        <span className="muted small">
          {res.from} – {res.to}
        </span>
      </div>
      <p className="muted small">{t('kpi.explainHint')}</p>
      <table className="kpi-lines" aria-label={t('kpi.lines')}>
        <thead>
          <tr>
            <th scope="col">{t('kpi.metric')}</th>
            <th scope="col">{t('kpi.actual')}</th>
            <th scope="col">{t('kpi.target')}</th>
            <th scope="col">{t('kpi.rule')}</th>
            <th scope="col" className="kpi-bar-col">
              {t('kpi.score')}
            </th>
            <th scope="col">{t('kpi.weight')}</th>
            <th scope="col">{t('kpi.contribution')}</th>
          </tr>
        </thead>
        <tbody>
          {p.lines.map((l, i) => (
            <tr key={i} data-metric={l.metric} className={l.no_data ? 'kpi-nodata' : ''}>
              <th scope="row">{t(`kpi.metric.${l.metric}`)}</th>
              <td>{l.no_data ? t('kpi.noData') : formatValue(l.metric, l.actual)}</td>
              <td>{formatValue(l.metric, l.target)}</td>
              <td className="small">{ruleText(l)}</td>
              <td className="kpi-bar-col">
                <span className="kpi-bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={l.score_bp === null ? 0 : l.score_bp / 100} aria-label={t(`kpi.metric.${l.metric}`)}>
                  <span className="kpi-bar-fill" style={{ width: `${Math.min(100, (l.score_bp ?? 0) / 100)}%` }} />
                </span>
                <span className="kpi-score">{l.score_bp === null ? '—' : points(l.score_bp)}</span>
              </td>
              <td>{l.weight}</td>
              <td>{points(l.contribution_bp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The people one may see, with totals; closing and reopening the period. */
function TeamKpi({ card, period, me }: { card: KpiScorecard; period: string; me: User }) {
  const toast = useToast();
  const { res, setRes, error } = useResults(card, period);
  const [busy, setBusy] = useState(false);
  if (error) return <ErrorBanner message={errorText(error)} />;
  if (!res) return <div className="card placeholder">{t('common.loading')}</div>;
  const act = async (fn: typeof kpi.close) => {
    setBusy(true);
    try {
      setRes(await fn(card.id, period));
      toast(fn === kpi.close ? t('kpi.closedDone') : t('kpi.reopenedDone'));
    } catch (e) {
      toast(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const anyClosed = res.people.some((p) => p.closed);
  // Seeing someone else's results means heading them: only then may one close.
  const mayClose = me.is_admin || res.people.some((p) => p.user_id !== me.id);
  return (
    <div className="card kpi-team">
      <div className="kpi-team-head">
        <span className="muted small">
          {res.from} – {res.to}
        </span>
        <span className="kpi-actions">
          {mayClose && (
            <button type="button" className="btn btn-sm" disabled={busy} onClick={() => act(kpi.close)}>
              {t('kpi.close')}
            </button>
          )}
          {me.is_admin && anyClosed && (
            <button type="button" className="btn btn-sm" disabled={busy} onClick={() => act(kpi.reopen)}>
              {t('kpi.reopen')}
            </button>
          )}
        </span>
      </div>
      <table className="kpi-lines" aria-label={t('kpi.team')}>
        <thead>
          <tr>
            <th scope="col">{t('kpi.person')}</th>
            {card.lines.map((l, i) => (
              <th scope="col" key={i}>
                {t(`kpi.metric.${l.metric}`)}
              </th>
            ))}
            <th scope="col">{t('kpi.total')}</th>
            <th scope="col">{t('kpi.state')}</th>
          </tr>
        </thead>
        <tbody>
          {res.people.map((p) => (
            <tr key={p.user_id} data-user={p.user_id}>
              <th scope="row">{p.name}</th>
              {card.lines.map((_, i) => {
                const l = p.lines[i];
                return <td key={i}>{!l ? '' : l.score_bp === null ? '—' : points(l.score_bp)}</td>;
              })}
              <td className="kpi-person-total">{points(p.total_bp)}</td>
              <td>{p.closed ? <span className="badge kpi-closed">{t('kpi.closed')}</span> : <span className="muted small">{t('kpi.open')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

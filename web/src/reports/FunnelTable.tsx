import type { ReactNode } from 'react';
import type { Funnel } from '../api';
import { formatMoney, formatNumber } from '../format';
import { t } from '../i18n';
import { formatDuration } from '../deals/duration';
import { drillHref } from './funnelLinks';
import { formatShare } from './share';

/** A number that opens the deals behind it. */
function N({ href, n, label }: { href: string; n: number; label?: string }) {
  return (
    <a href={href} className="num-link" title={t('funnel.showDeals', { n })} data-n={n}>
      {label ?? formatNumber(n)}
    </a>
  );
}

function money(v: number | null, currency: string): string {
  return v === null ? '—' : formatMoney({ amount: v, currency });
}

/** The funnel in numbers: per stage, then won and lost (with reasons) and the end-to-end rate. */
export function FunnelTable({ funnel }: { funnel: Funnel }) {
  const f = funnel;
  const cur = f.base_currency;
  const link = (extra: Record<string, string>) => drillHref(f.drill, extra);
  const row = (key: string, name: ReactNode, cells: ReactNode[], cls?: string) => (
    <tr key={key} className={cls} data-row={key}>
      <th scope="row">{name}</th>
      {cells.map((c, i) => (
        <td key={i} className="num">
          {c}
        </td>
      ))}
    </tr>
  );
  return (
    <>
      <div className="card table-card">
        <div className="table-wrap">
          <table className="data-table funnel-table">
            <caption className="sr-only">{t('funnel.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.stage')}</th>
                <th scope="col" className="num">{t('funnel.reached')}</th>
                <th scope="col" className="num">{t('funnel.movedOn')}</th>
                <th scope="col" className="num">{t('funnel.conversion')}</th>
                <th scope="col" className="num">{t('funnel.avgTime')}</th>
                <th scope="col" className="num">{t('funnel.value')}</th>
                <th scope="col" className="num">{t('funnel.current')}</th>
              </tr>
            </thead>
            <tbody>
              {f.stages.map((s) =>
                row(
                  `stage-${s.stage.id}`,
                  s.stage.name,
                  [
                    <N href={link({ reached_stage: String(s.stage.id) })} n={s.reached} />,
                    formatNumber(s.moved_on),
                    formatShare(s.conversion),
                    formatDuration(s.avg_ms),
                    <N href={link({ reached_stage: String(s.stage.id) })} n={s.reached} label={money(s.value_base, cur)} />,
                    <N href={link({ stage_id: String(s.stage.id) })} n={s.current} />,
                  ],
                  `kind-${s.stage.kind}`,
                ),
              )}
            </tbody>
            <tfoot>
              {row('total', t('funnel.total'), [<N href={link({})} n={f.total} />, '', '', '', '', ''])}
              {row('won', t('funnel.won'), [<N href={link({ status: 'won' })} n={f.won.count} />, '', '', '', <N href={link({ status: 'won' })} n={f.won.count} label={money(f.won.value_base, cur)} />, ''], 'kind-won')}
              {row('lost', t('funnel.lost'), [<N href={link({ status: 'lost' })} n={f.lost.count} />, '', '', '', <N href={link({ status: 'lost' })} n={f.lost.count} label={money(f.lost.value_base, cur)} />, ''], 'kind-lost')}
              {row('end_to_end', t('funnel.endToEnd'), [formatShare(f.end_to_end), '', '', '', '', ''])}
            </tfoot>
          </table>
        </div>
      </div>
      <section className="card" aria-labelledby="lost-reasons-title">
        <h2 className="card-title" id="lost-reasons-title">
          {t('funnel.reasons')}
        </h2>
        {f.lost.reasons.length === 0 ? (
          <p className="muted">{t('funnel.noLost')}</p>
        ) : (
          <dl className="stage-totals reason-bars">
            {f.lost.reasons.map((r) => (
              <div key={r.id} className="stage-total" data-reason={r.id}>
                <dt>{r.name}</dt>
                <dd>
                  <span className="stage-total-bar lost" style={{ width: `${Math.max(2, (r.count / Math.max(1, f.lost.count)) * 100)}%` }} aria-hidden="true" />
                  <span className="stage-total-text">
                    <N href={link({ lost_reason_id: String(r.id) })} n={r.count} /> · {money(r.value_base, cur)}
                  </span>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}

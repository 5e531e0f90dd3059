import type { Funnel } from '../api';
import { formatNumber } from '../format';
import { t } from '../i18n';
import { drillHref } from './funnelLinks';
import { formatShare } from './share';

const W = 640;
const LABEL = 150;
const NUMBERS = 110;
const BAR_H = 34;
const GAP = 8;

/**
 * The funnel drawn as centred bars, each as wide as the share of deals that reached its stage;
 * each bar links to those deals. Won is the last, green bar.
 */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const rows = funnel.stages;
  const max = Math.max(1, ...rows.map((r) => r.reached));
  const area = W - LABEL - NUMBERS;
  const mid = LABEL + area / 2;
  const height = rows.length * (BAR_H + GAP);
  return (
    <figure className="funnel-figure">
      <svg className="funnel-chart" viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby="funnel-chart-title">
        <title id="funnel-chart-title">{t('funnel.chart')}</title>
        {rows.map((r, i) => {
          const w = Math.max(4, (r.reached / max) * area);
          const next = rows[i + 1];
          const nw = next ? Math.max(4, (next.reached / max) * area) : w;
          const y = i * (BAR_H + GAP);
          const label = `${r.stage.name}: ${formatNumber(r.reached)}`;
          return (
            <g key={r.stage.id} className={`funnel-row kind-${r.stage.kind}`} data-stage={r.stage.id}>
              {next && (
                <path
                  className="funnel-neck"
                  d={`M${mid - w / 2} ${y + BAR_H} L${mid + w / 2} ${y + BAR_H} L${mid + nw / 2} ${y + BAR_H + GAP} L${mid - nw / 2} ${y + BAR_H + GAP} Z`}
                />
              )}
              <a href={drillHref(funnel.drill, { reached_stage: String(r.stage.id) })} aria-label={label}>
                <rect className="funnel-bar" x={mid - w / 2} y={y} width={w} height={BAR_H} rx={4} />
                <text className="funnel-count" x={mid} y={y + BAR_H / 2} dominantBaseline="central" textAnchor="middle">
                  {formatNumber(r.reached)}
                </text>
              </a>
              <text className="funnel-label" x={LABEL - 10} y={y + BAR_H / 2} dominantBaseline="central" textAnchor="end">
                {r.stage.name}
              </text>
              <text className="funnel-share" x={W - NUMBERS + 10} y={y + BAR_H / 2} dominantBaseline="central">
                {r.conversion === null ? '' : `→ ${formatShare(r.conversion)}`}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

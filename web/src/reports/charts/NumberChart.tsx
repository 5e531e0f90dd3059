import type { ChartProps } from './series';

/** One big figure: the report's single value (its first row), with what it counts under it. */
export function NumberChart({ points, title, caption }: ChartProps & { caption: string }) {
  const p = points[0];
  return (
    <div className="report-number" role="img" aria-label={`${title}: ${p ? p.text : '—'}`}>
      {p?.href ? (
        <a href={p.href} className="big-number">
          {p.text}
        </a>
      ) : (
        <span className="big-number">{p ? p.text : '—'}</span>
      )}
      <span className="muted">{caption}</span>
    </div>
  );
}

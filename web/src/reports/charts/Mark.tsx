import type { ReactNode } from 'react';
import type { Point } from './series';

/**
 * One drawn value: focusable from the keyboard, its label and value as a tooltip (the SVG
 * title) and as its accessible name, and a link to the records behind it when there is one.
 */
export function Mark({ p, children }: { p: Point; children: ReactNode }) {
  const name = `${p.label}: ${p.text}`;
  if (p.href)
    return (
      <a href={p.href} className="chart-mark" aria-label={name} data-label={p.label}>
        <title>{name}</title>
        {children}
      </a>
    );
  return (
    <g className="chart-mark" tabIndex={0} role="img" aria-label={name} data-label={p.label}>
      <title>{name}</title>
      {children}
    </g>
  );
}

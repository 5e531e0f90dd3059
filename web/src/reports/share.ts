import { userLocale } from '../format';

const pct = new Intl.NumberFormat(userLocale, { style: 'percent', maximumFractionDigits: 1 });

/** 0.4567 → "45.7%" in the user's locale; '' for null. */
export function formatShare(x: number | null | undefined): string {
  return x === null || x === undefined ? '' : pct.format(x);
}

// Display formatting with Intl in the user's locale (navigator.language).
// Money and decimals arrive as exact integers/strings and are never turned into binary floats
// for storage; for display, Intl.NumberFormat is given decimal strings, which it formats exactly.

import type { Money } from './api';

export const userLocale: string =
  (typeof navigator !== 'undefined' && (navigator.languages?.[0] || navigator.language)) || 'en';

// Intl accepts decimal strings ("12.50") since ES2023; the type below says so.
type Numeric = number | bigint | string;
type NumberFormatter = { format(v: Numeric): string };

function nf(opts: Intl.NumberFormatOptions): NumberFormatter {
  try {
    return new Intl.NumberFormat(userLocale, opts) as unknown as NumberFormatter;
  } catch {
    return new Intl.NumberFormat('en', opts) as unknown as NumberFormatter;
  }
}

const dateFmt = new Intl.DateTimeFormat(userLocale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTimeFmt = new Intl.DateTimeFormat(userLocale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "2026-11-26" → "Nov 26, 2026" (the calendar date, no time zone shift). */
export function formatDate(s: string | null | undefined): string {
  if (!s) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return s;
  return dateFmt.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

/** An RFC 3339 timestamp in the user's time zone. */
export function formatDateTime(s: string | null | undefined): string {
  if (!s) return '';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : dateTimeFmt.format(d);
}

export function formatNumber(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  return nf({ maximumFractionDigits: 20 }).format(typeof v === 'number' ? v : String(v));
}

/** "15.5" → "15.5 %" in the user's locale (the value is already a percentage). */
export function formatPercent(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  const n = nf({ maximumFractionDigits: 20 }).format(String(v));
  return `${n}\u00a0%`;
}

// The server's own table of minor-unit digits (GET /currencies), when a screen has loaded it;
// Intl's table is the fallback. Both follow ISO 4217.
const knownDigits = new Map<string, number>();

/** Remembers the server's minor-unit digits per currency code. */
export function rememberCurrencyDigits(list: { code: string; digits: number }[]): void {
  for (const c of list) knownDigits.set(c.code, c.digits);
}

/** How many decimals a currency's minor unit has (EUR 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  const known = knownDigits.get(currency);
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units (integer) → major units as an exact decimal string: 123456, 2 → "1234.56". */
export function minorToMajor(amount: number | string, digits: number): string {
  let s = String(amount).trim();
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  }
  if (!/^\d+$/.test(s)) return String(amount);
  if (digits <= 0) return (neg ? '-' : '') + s.replace(/^0+(?=\d)/, '');
  s = s.padStart(digits + 1, '0');
  const int = s.slice(0, s.length - digits).replace(/^0+(?=\d)/, '');
  const frac = s.slice(s.length - digits);
  return `${neg ? '-' : ''}${int}.${frac}`;
}

/**
 * Major units typed by a person → minor units, by string arithmetic only:
 * "1 234,5" with 2 digits → 123450. Returns null when the text is not an amount
 * or has more decimals than the currency allows.
 */
export function majorToMinor(text: string, digits: number): number | null {
  let s = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!s) return null;
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  // Accept either "." or "," as the decimal separator (the last one wins when both appear).
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  const sep = Math.max(lastDot, lastComma);
  let int = s;
  let frac = '';
  if (sep >= 0) {
    int = s.slice(0, sep).replace(/[.,]/g, '');
    frac = s.slice(sep + 1);
  }
  if (int === '') int = '0';
  if (!/^\d+$/.test(int) || !/^\d*$/.test(frac)) return null;
  if (frac.length > digits) return null;
  const digitsStr = (int + frac.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (digitsStr.length > 15) return null; // beyond exact integers
  const n = parseInt(digitsStr, 10);
  return neg ? -n : n;
}

export function formatMoney(m: Money | null | undefined): string {
  if (!m || typeof m !== 'object') return '';
  const digits = currencyDigits(m.currency);
  const major = minorToMajor(m.amount, digits);
  try {
    return nf({ style: 'currency', currency: m.currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
  } catch {
    return `${major} ${m.currency}`;
  }
}

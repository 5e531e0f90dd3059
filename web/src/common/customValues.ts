// Custom field values: from the API's JSON to form state and back, by type (docs/api.md).
import type { CustomFieldDef, CustomValue, Money } from '../api';
import { currencyDigits, formatDate, formatDateTime, formatMoney, formatNumber, formatPercent, majorToMinor, minorToMajor } from '../format';
import { t } from '../i18n';

export interface MoneyInput {
  amount: string;
  currency: string;
}
export type CustomFormValue = string | string[] | boolean | MoneyInput;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** RFC 3339 → the value of an <input type="datetime-local"> in the user's time zone. */
export function isoToLocalInput(v: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** <input type="datetime-local"> value → RFC 3339 UTC ("2026-11-26T17:20:00Z"). */
export function localInputToIso(v: string): string | null {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isMoney(v: unknown): v is Money {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'amount' in v && 'currency' in v;
}

export function customToForm(def: CustomFieldDef, v: CustomValue | undefined): CustomFormValue {
  switch (def.type) {
    case 'money':
      return isMoney(v)
        ? { amount: minorToMajor(v.amount, currencyDigits(v.currency)), currency: v.currency }
        : { amount: '', currency: '' };
    case 'multichoice':
      return Array.isArray(v) ? v.map(String) : [];
    case 'boolean':
      return v === true;
    case 'datetime':
      return typeof v === 'string' ? isoToLocalInput(v) : '';
    default:
      return v === null || v === undefined ? '' : String(v);
  }
}

export type Converted = { value: CustomValue } | { error: string };

export function customFromForm(def: CustomFieldDef, fv: CustomFormValue | undefined): Converted {
  switch (def.type) {
    case 'money': {
      const m = (fv as MoneyInput | undefined) ?? { amount: '', currency: '' };
      const amount = m.amount.trim();
      const currency = m.currency.trim().toUpperCase();
      if (!amount && !currency) return { value: null };
      if (!/^[A-Z]{3}$/.test(currency)) return { error: t('form.needCurrency') };
      const digits = currencyDigits(currency);
      const minor = majorToMinor(amount, digits);
      if (minor === null) return { error: t('form.badAmount', { n: digits }) };
      return { value: { amount: minor, currency } };
    }
    case 'multichoice': {
      const xs = Array.isArray(fv) ? fv : [];
      return { value: xs.length ? xs : null };
    }
    case 'boolean':
      return { value: fv === true };
    case 'integer': {
      const s = String(fv ?? '').trim();
      if (!s) return { value: null };
      // Anything that is not a plain integer goes to the server as typed, which names the problem.
      return { value: /^-?\d{1,15}$/.test(s) ? parseInt(s, 10) : s };
    }
    case 'datetime': {
      const s = String(fv ?? '').trim();
      if (!s) return { value: null };
      return { value: localInputToIso(s) ?? s };
    }
    case 'long_text': {
      const s = String(fv ?? '');
      return { value: s.trim() ? s : null };
    }
    default: {
      const s = String(fv ?? '').trim();
      return { value: s ? s : null };
    }
  }
}

/** A value for reading, in the user's locale. */
export function formatCustom(def: CustomFieldDef, v: CustomValue | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  switch (def.type) {
    case 'money':
      return isMoney(v) ? formatMoney(v) : String(v);
    case 'percent':
      return formatPercent(String(v));
    case 'integer':
    case 'decimal':
      return formatNumber(typeof v === 'number' ? v : String(v));
    case 'date':
      return formatDate(String(v));
    case 'datetime':
      return formatDateTime(String(v));
    case 'boolean':
      return v === true ? t('common.yes') : t('common.no');
    case 'multichoice':
      return Array.isArray(v) ? v.join(', ') : String(v);
    default:
      return String(v);
  }
}

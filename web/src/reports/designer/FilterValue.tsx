import { t, type Key } from '../../i18n';
import type { Kind } from './fields';

export const PERIODS = ['today', 'yesterday', 'this_week', 'last_week', 'this_month', 'last_month', 'this_quarter', 'last_quarter', 'this_year', 'last_year', 'last_n_days', 'next_n_days'];

interface Props {
  op: string;
  kind: Kind | undefined;
  value: unknown;
  label: string;
  onChange: (v: unknown) => void;
}

/** What a typed value means for a field of this kind: a number when it reads as one. */
export function typed(kind: Kind | undefined, s: string): string | number {
  return (kind === 'int' || kind === 'id') && /^-?\d+$/.test(s.trim()) ? Number(s.trim()) : s;
}

/** A filter's value as its operator takes it: text, a list, yes/no, or a relative period. */
export function FilterValue({ op, kind, value, label, onChange }: Props) {
  if (op === 'empty')
    return (
      <select className="input input-sm" aria-label={label} value={String(value !== false)} onChange={(e) => onChange(e.target.value === 'true')}>
        <option value="true">{t('rw.d.isEmpty')}</option>
        <option value="false">{t('rw.d.notEmpty')}</option>
      </select>
    );
  if (op === 'period') {
    const v = (value && typeof value === 'object' ? value : { period: 'this_month' }) as { period: string; n?: number };
    const counted = v.period === 'last_n_days' || v.period === 'next_n_days';
    return (
      <>
        <select className="input input-sm" aria-label={label} value={v.period} onChange={(e) => onChange(e.target.value.endsWith('_n_days') ? { period: e.target.value, n: v.n ?? 30 } : { period: e.target.value })}>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`rw.period.${p}` as Key)}
            </option>
          ))}
        </select>
        {counted && (
          <input className="input input-sm designer-n" type="number" min={1} max={3660} aria-label={t('rw.d.days')} value={v.n ?? 30} onChange={(e) => onChange({ period: v.period, n: Number(e.target.value) })} />
        )}
      </>
    );
  }
  const text = Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value);
  const input = kind === 'date' && op !== 'in' ? 'date' : 'text';
  return (
    <input
      className="input input-sm"
      type={input}
      aria-label={label}
      value={text}
      placeholder={op === 'in' ? t('rw.d.inHint') : ''}
      onChange={(e) => onChange(op === 'in' ? e.target.value.split(',').map((s) => typed(kind, s.trim())).filter((s) => s !== '') : typed(kind, e.target.value))}
    />
  );
}

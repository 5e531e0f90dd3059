// Small inputs the side panels share: a labelled row, a typed value, a JSON member, a field select.
import { useEffect, useState, type ReactNode } from 'react';
import { t, type Key } from '../i18n';
import { UNITS, unitLabel } from './kinds';
import { ENTITIES, type Unit } from './types';

const ENTITY: Record<string, Key> = { deals: 'nav.deals', companies: 'nav.companies', contacts: 'nav.contacts', activities: 'nav.activities' };
export const entityLabel = (e: string) => (ENTITY[e] ? t(ENTITY[e]) : e);

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field-inline pe-field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A value typed as text: whole numbers, true/false, null and JSON objects become those; anything else is a string. */
export function parseValue(text: string): unknown {
  const s = text.trim();
  if (/^-?\d{1,15}$/.test(s)) return Number(s);
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null') return null;
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      return JSON.parse(s);
    } catch {
      return text;
    }
  }
  return text;
}

export const showValue = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** A member edited as JSON (a nested condition, a record's values); applied when it parses. */
export function JsonField({ label, value, readOnly, onChange }: { label: string; value: unknown; readOnly: boolean; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setText(JSON.stringify(value ?? null, null, 2));
    setBad(false);
  }, [value]);
  return (
    <label className="field-inline pe-field">
      <span>{label}</span>
      <textarea
        rows={5}
        className="input pe-json"
        value={text}
        readOnly={readOnly}
        aria-invalid={bad}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          try {
            onChange(JSON.parse(text));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <span className="field-error">{t('pe.badJson')}</span>}
    </label>
  );
}

export function FieldSelect({ value, fields, readOnly, label, onChange }: { value: string; fields: string[]; readOnly: boolean; label: string; onChange: (f: string) => void }) {
  return (
    <Row label={label}>
      <select className="input" value={value} disabled={readOnly} onChange={(e) => onChange(e.target.value)}>
        {!fields.includes(value) && <option value={value}>{value || t('pe.chooseField')}</option>}
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </Row>
  );
}

/** An amount and its unit (a deadline, a wait's duration). */
export function DurationInput({ value, readOnly, onChange }: { value: { amount: number; unit: Unit }; readOnly: boolean; onChange: (v: { amount: number; unit: Unit }) => void }) {
  return (
    <div className="pe-row">
      <input className="input" type="number" min={1} max={100000} aria-label={t('pe.deadline.amount')} value={value.amount} readOnly={readOnly} onChange={(e) => onChange({ ...value, amount: Number(e.target.value) })} />
      <select className="input" aria-label={t('pe.deadline.unit')} value={value.unit} disabled={readOnly} onChange={(e) => onChange({ ...value, unit: e.target.value as Unit })}>
        {UNITS.map((u) => (
          <option key={u} value={u}>
            {unitLabel(u)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The entity a template runs on. */
export function EntitySelect({ label, value, readOnly, onChange }: { label: string; value: string; readOnly: boolean; onChange: (e: string) => void }) {
  return (
    <Row label={label}>
      <select className="input" value={value} disabled={readOnly} onChange={(e) => onChange(e.target.value)}>
        {ENTITIES.map((en) => (
          <option key={en} value={en}>
            {entityLabel(en)}
          </option>
        ))}
      </select>
    </Row>
  );
}

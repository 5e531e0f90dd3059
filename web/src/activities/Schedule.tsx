// Reminders (minutes before the deadline or the start) and a task's recurrence: the form's
// editors and the words the activity page shows.
import { useState } from 'react';
import type { Recurrence, RecurrenceFreq } from '../api';
import { formatDate } from '../format';
import { t, type Key } from '../i18n';

export const MAX_REMINDERS = 5;
const MAX_MINUTES = 40320;
const PRESETS = [15, 60, 1440];

export function reminderLabel(min: number): string {
  if (min === 1440) return t('act.reminders.day');
  if (min > 0 && min % 1440 === 0) return t('act.reminders.days', { n: min / 1440 });
  if (min > 0 && min % 60 === 0) return t('act.reminders.hours', { n: min / 60 });
  return t('act.reminders.minutes', { n: min });
}

/** Chips of the chosen reminders, presets to add, and a custom number of minutes. */
export function RemindersPicker({ id, value, describedBy, onChange }: { id: string; value: number[]; describedBy?: string; onChange: (v: number[]) => void }) {
  const [custom, setCustom] = useState('');
  const [bad, setBad] = useState(false);
  const full = value.length >= MAX_REMINDERS;
  const add = (m: number) => {
    if (full || value.includes(m)) return;
    onChange([...value, m].sort((a, b) => a - b));
  };
  const addCustom = () => {
    const s = custom.trim();
    const n = Number(s);
    if (!/^\d+$/.test(s) || n > MAX_MINUTES) {
      setBad(true);
      return;
    }
    setBad(false);
    add(n);
    setCustom('');
  };
  return (
    <div className="reminders" id={id} aria-describedby={describedBy}>
      <ul className="chip-list" aria-label={t('act.reminders')}>
        {value.length === 0 && <li className="muted small">{t('act.reminders.none')}</li>}
        {value.map((m) => (
          <li key={m} className="chip">
            {reminderLabel(m)}
            <button type="button" className="chip-remove" aria-label={t('act.reminders.remove', { label: reminderLabel(m) })} onClick={() => onChange(value.filter((x) => x !== m))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="reminder-add">
        {PRESETS.map((m) => (
          <button key={m} type="button" className="btn btn-sm" disabled={full || value.includes(m)} aria-pressed={value.includes(m)} onClick={() => add(m)}>
            {reminderLabel(m)}
          </button>
        ))}
        <label className="reminder-custom">
          <span>{t('act.reminders.custom')}</span>
          <input
            className="input input-sm"
            type="number"
            min={0}
            max={MAX_MINUTES}
            inputMode="numeric"
            value={custom}
            disabled={full}
            aria-invalid={bad || undefined}
            onChange={(e) => setCustom(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addCustom();
              }
            }}
          />
        </label>
        <button type="button" className="btn btn-sm" disabled={full || !custom.trim()} onClick={addCustom}>
          {t('act.reminders.add')}
        </button>
      </div>
      {bad && (
        <p className="field-error small" role="alert">
          {t('act.reminders.bad')}
        </p>
      )}
      {full && <p className="muted small">{t('act.reminders.max')}</p>}
    </div>
  );
}

export const FREQS: RecurrenceFreq[] = ['daily', 'weekly', 'monthly', 'yearly'];

/** The editor's state: text as typed; `until` a local date. */
export interface RecurrenceDraft {
  freq: '' | RecurrenceFreq;
  interval: string;
  ends: 'never' | 'until' | 'count';
  until: string;
  count: string;
}

export const noRecurrence: RecurrenceDraft = { freq: '', interval: '1', ends: 'never', until: '', count: '' };

export function recurrenceDraftOf(r: Recurrence | null | undefined, localDate: (iso: string) => string): RecurrenceDraft {
  if (!r) return noRecurrence;
  return {
    freq: r.freq,
    interval: String(r.interval ?? 1),
    ends: r.until ? 'until' : r.count ? 'count' : 'never',
    until: r.until ? localDate(r.until) : '',
    count: r.count ? String(r.count) : '',
  };
}

/** The task's recurrence editor: only with a deadline (the rule counts from it). */
export function RecurrenceEditor({ id, value, hasDue, onChange }: { id: string; value: RecurrenceDraft; hasDue: boolean; onChange: (v: RecurrenceDraft) => void }) {
  const set = (p: Partial<RecurrenceDraft>) => onChange({ ...value, ...p });
  return (
    <fieldset className="recurrence" id={id} disabled={!hasDue}>
      {!hasDue && <p className="muted small">{t('act.recurrence.needsDue')}</p>}
      <div className="recurrence-row">
        <label>
          <span className="sr-only">{t('act.recurrence')}</span>
          <select className="input" aria-label={t('act.recurrence')} value={value.freq} onChange={(e) => set({ freq: e.target.value as RecurrenceDraft['freq'] })}>
            <option value="">{t('act.recurrence.none')}</option>
            {FREQS.map((f) => (
              <option key={f} value={f}>
                {t(`act.recurrence.${f}` as Key)}
              </option>
            ))}
          </select>
        </label>
        {value.freq && (
          <label className="recurrence-every">
            <span>{t('act.recurrence.every')}</span>
            <input className="input input-sm" type="number" min={1} max={365} value={value.interval} onChange={(e) => set({ interval: e.target.value })} />
            <span>{t(`act.recurrence.unit.${value.freq}` as Key)}</span>
          </label>
        )}
      </div>
      {value.freq && (
        <div className="recurrence-row" role="radiogroup" aria-label={t('act.recurrence.ends')}>
          <span className="muted">{t('act.recurrence.ends')}:</span>
          {(['never', 'until', 'count'] as const).map((e) => (
            <label key={e} className="radio">
              <input type="radio" name={`${id}-ends`} checked={value.ends === e} onChange={() => set({ ends: e })} />
              {t(e === 'never' ? 'act.recurrence.never' : e === 'until' ? 'act.recurrence.onDate' : 'act.recurrence.after')}
            </label>
          ))}
          {value.ends === 'until' && (
            <label>
              <span className="sr-only">{t('act.recurrence.until')}</span>
              <input className="input input-sm" type="date" aria-label={t('act.recurrence.until')} value={value.until} onChange={(e) => set({ until: e.target.value })} />
            </label>
          )}
          {value.ends === 'count' && (
            <label>
              <span className="sr-only">{t('act.recurrence.count')}</span>
              <input className="input input-sm" type="number" min={1} max={1000} aria-label={t('act.recurrence.count')} value={value.count} onChange={(e) => set({ count: e.target.value })} />
            </label>
          )}
        </div>
      )}
    </fieldset>
  );
}

/** The rule in words: "Weekly, every 1 week(s), until Dec 31, 2026". */
export function recurrenceText(r: Recurrence): string {
  const parts = [
    t('act.recurrence.summary', {
      freq: t(`act.recurrence.${r.freq}` as Key),
      n: r.interval ?? 1,
      unit: t(`act.recurrence.unit.${r.freq}` as Key),
    }),
  ];
  if (r.until) parts.push(t('act.recurrence.summaryUntil', { date: formatDate(r.until) }));
  if (r.count) parts.push(t('act.recurrence.summaryCount', { n: r.count }));
  return parts.join(', ');
}

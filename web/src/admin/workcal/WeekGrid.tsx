import type { FieldError } from '../../api';
import { FormField } from '../../common/FormField';
import { t } from '../../i18n';
import { messagesFor } from '../fieldErrors';
import { dayName, type SpanDraft } from './draft';

interface Props {
  week: SpanDraft[][];
  errors: FieldError[];
  onChange: (week: SpanDraft[][]) => void;
}

/** Monday to Sunday: each day's intervals (add, remove) or closed; the server's message under each day. */
export function WeekGrid({ week, errors, onChange }: Props) {
  const setDay = (i: number, day: SpanDraft[]) => onChange(week.map((d, k) => (k === i ? day : d)));
  const setSpan = (i: number, j: number, s: SpanDraft) => setDay(i, week[i].map((x, k) => (k === j ? s : x)));
  // A new interval starts where the day's last one ends.
  const addSpan = (i: number) => {
    const last = week[i][week[i].length - 1];
    setDay(i, [...week[i], last ? { from: last.to, to: last.to < '18:00' ? '18:00' : '24:00' } : { from: '09:00', to: '18:00' }]);
  };

  return (
    <FormField name="week" label={t('workcal.week')} errors={messagesFor(errors, 'week')} group wide>
      <div className="workcal-week">
        {week.map((day, i) => {
          const errs = messagesFor(errors, `week[${i}]`);
          const errId = `f-week-${i}-error`;
          return (
            <div key={i} className={`workcal-day${errs.length ? ' has-error' : ''}`} data-day={i}>
              <span className="workcal-dayname" id={`f-week-${i}-label`}>
                {dayName(i)}
              </span>
              <div className="workcal-spans">
                {day.map((s, j) => (
                  <span key={j} className="workcal-span">
                    <input
                      className="input input-time"
                      inputMode="numeric"
                      maxLength={5}
                      placeholder="09:00"
                      aria-label={t('workcal.spanFrom', { day: dayName(i), n: j + 1 })}
                      aria-invalid={errs.length > 0 || undefined}
                      aria-describedby={errs.length ? errId : undefined}
                      value={s.from}
                      onChange={(e) => setSpan(i, j, { ...s, from: e.target.value })}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      className="input input-time"
                      inputMode="numeric"
                      maxLength={5}
                      placeholder="18:00"
                      aria-label={t('workcal.spanTo', { day: dayName(i), n: j + 1 })}
                      aria-invalid={errs.length > 0 || undefined}
                      aria-describedby={errs.length ? errId : undefined}
                      value={s.to}
                      onChange={(e) => setSpan(i, j, { ...s, to: e.target.value })}
                    />
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={t('workcal.removeSpan', { day: dayName(i), n: j + 1 })}
                      onClick={() => setDay(i, day.filter((_, k) => k !== j))}
                    >
                      ×
                    </button>
                  </span>
                ))}
                <button type="button" className="btn btn-sm" aria-label={t('workcal.addSpanTo', { day: dayName(i) })} onClick={() => addSpan(i)}>
                  + {t('workcal.addSpan')}
                </button>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={day.length === 0}
                    aria-label={t('workcal.closedOn', { day: dayName(i) })}
                    onChange={(e) => setDay(i, e.target.checked ? [] : [{ from: '09:00', to: '18:00' }])}
                  />
                  <span>{t('workcal.closed')}</span>
                </label>
              </div>
              {errs.length > 0 && (
                <div className="field-error" id={errId} data-field={`week[${i}]`}>
                  {errs.join('; ')}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </FormField>
  );
}

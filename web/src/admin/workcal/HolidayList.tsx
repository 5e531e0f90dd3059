import type { FieldError } from '../../api';
import { FormField } from '../../common/FormField';
import { t } from '../../i18n';
import { messagesFor } from '../fieldErrors';
import type { HolidayDraft } from './draft';

interface Props {
  holidays: HolidayDraft[];
  errors: FieldError[];
  onChange: (holidays: HolidayDraft[]) => void;
}

/** Days off (date, name) and shortened days (with hours); the server's messages beside each row. */
export function HolidayList({ holidays, errors, onChange }: Props) {
  const set = (i: number, h: HolidayDraft) => onChange(holidays.map((x, k) => (k === i ? h : x)));
  const add = () => onChange([...holidays, { date: '', name: '', hours: '' }]);

  return (
    <FormField name="holidays" label={t('workcal.holidays')} errors={messagesFor(errors, 'holidays')} hint={t('workcal.holidaysHint')} group wide>
      <div className="workcal-holidays">
        {holidays.map((h, i) => {
          const at = (f: string) => messagesFor(errors, `holidays[${i}]${f}`);
          const errs = [...at(''), ...at('.date'), ...at('.name'), ...at('.hours')];
          const errId = `f-holidays-${i}-error`;
          const aria = (f: string) => ({
            'aria-invalid': at(f).length > 0 || undefined,
            'aria-describedby': errs.length ? errId : undefined,
          });
          return (
            <div key={i} className={`workcal-holiday${errs.length ? ' has-error' : ''}`} data-holiday={i}>
              <input
                type="date"
                className="input"
                aria-label={t('workcal.holidayDate', { n: i + 1 })}
                {...aria('.date')}
                value={h.date}
                onChange={(e) => set(i, { ...h, date: e.target.value })}
              />
              <input
                className="input"
                placeholder={t('workcal.holidayNamePlaceholder')}
                aria-label={t('workcal.holidayName', { n: i + 1 })}
                {...aria('.name')}
                value={h.name}
                onChange={(e) => set(i, { ...h, name: e.target.value })}
              />
              <input
                className="input"
                placeholder={t('workcal.holidayHoursPlaceholder')}
                aria-label={t('workcal.holidayHours', { n: i + 1 })}
                {...aria('.hours')}
                value={h.hours}
                onChange={(e) => set(i, { ...h, hours: e.target.value })}
              />
              <button
                type="button"
                className="icon-btn"
                aria-label={t('workcal.removeHoliday', { n: i + 1 })}
                onClick={() => onChange(holidays.filter((_, k) => k !== i))}
              >
                ×
              </button>
              {errs.length > 0 && (
                <div className="field-error" id={errId} data-field={`holidays[${i}]`}>
                  {errs.join('; ')}
                </div>
              )}
            </div>
          );
        })}
        <div>
          <button type="button" className="btn btn-sm" onClick={add}>
            + {t('workcal.addHoliday')}
          </button>
        </div>
      </div>
    </FormField>
  );
}

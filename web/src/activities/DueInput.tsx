import { t } from '../i18n';
import { endOfDayInput, localDate } from './time';

interface Props {
  id: string;
  value: string;
  dateOnly: boolean;
  invalid?: boolean;
  describedBy?: string;
  onChange: (value: string, dateOnly: boolean) => void;
}

/**
 * A task's deadline in local time, or a date alone (sent as the end of that local day), with quick
 * choices for today and tomorrow.
 */
export function DueInput({ id, value, dateOnly, invalid, describedBy, onChange }: Props) {
  return (
    <div className="due-input">
      <div className="list-row">
        <input
          id={id}
          className="input"
          type={dateOnly ? 'date' : 'datetime-local'}
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value, dateOnly)}
        />
        <label className="check-inline">
          <input
            type="checkbox"
            checked={dateOnly}
            onChange={(e) => {
              const on = e.target.checked;
              // Keep the day when switching between a date and a date and time.
              const day = value.slice(0, 10);
              onChange(day ? (on ? day : endOfDayInput(day)) : '', on);
            }}
          />
          {t('activity.dateOnly')}
        </label>
      </div>
      <div className="quick-choices" role="group" aria-label={t('activity.quickDue')}>
        <button type="button" className="btn btn-sm" onClick={() => onChange(localDate(0), true)}>
          {t('activity.dueToday')}
        </button>
        <button type="button" className="btn btn-sm" onClick={() => onChange(localDate(1), true)}>
          {t('activity.dueTomorrow')}
        </button>
        <button type="button" className="btn btn-sm" onClick={() => onChange(localDate(7), true)}>
          {t('activity.dueInWeek')}
        </button>
      </div>
    </div>
  );
}

import { useState, type KeyboardEvent } from 'react';
import { workCalendars, type FieldError } from '../../api';
import { errorText } from '../../common/ErrorBanner';
import { formatDateTime } from '../../format';
import { t } from '../../i18n';
import { messagesFor, splitErrors } from '../fieldErrors';

/** The local "YYYY-MM-DDTHH:MM" of now, for a datetime-local input. */
function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** "When is it due?": a start and working hours in, the saved calendar's answer out. */
export function DuePreview({ id }: { id: number }) {
  const [from, setFrom] = useState(localNow);
  const [hours, setHours] = useState('8');
  const [answer, setAnswer] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  async function ask() {
    setAnswer(null);
    setFailure(null);
    setErrors([]);
    const start = new Date(from);
    const minutes = Math.round(Number(hours.replace(',', '.')) * 60);
    if (Number.isNaN(start.getTime())) {
      setErrors([{ field: 'from', message: t('workcal.dueBadFrom') }]);
      return;
    }
    if (!hours.trim() || !Number.isFinite(minutes) || minutes < 0) {
      setErrors([{ field: 'minutes', message: t('workcal.dueBadHours') }]);
      return;
    }
    try {
      const r = await workCalendars.due(id, start.toISOString(), minutes);
      setAnswer(r.due_at);
    } catch (e) {
      const s = splitErrors(e, ['from', 'minutes']);
      setErrors(s.errors);
      if (!s.errors.length) setFailure(errorText(e));
    }
  }

  // Enter asks here instead of saving the calendar around it.
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void ask();
    }
  };
  const fromErr = messagesFor(errors, 'from');
  const minErr = messagesFor(errors, 'minutes');
  return (
    <fieldset className="workcal-due" aria-describedby="workcal-due-hint">
      <legend className="field-label">{t('workcal.dueTitle')}</legend>
      <p className="field-hint" id="workcal-due-hint">
        {t('workcal.dueHint')}
      </p>
      <div className="workcal-due-row">
        <label>
          <span>{t('workcal.dueFrom')}</span>
          <input type="datetime-local" className="input" name="due-from" aria-invalid={fromErr.length > 0 || undefined} value={from} onChange={(e) => setFrom(e.target.value)} onKeyDown={onKey} />
        </label>
        <label>
          <span>{t('workcal.dueHours')}</span>
          <input className="input input-time" name="due-hours" inputMode="decimal" aria-invalid={minErr.length > 0 || undefined} value={hours} onChange={(e) => setHours(e.target.value)} onKeyDown={onKey} />
        </label>
        <button type="button" className="btn" onClick={() => void ask()}>
          {t('workcal.dueAsk')}
        </button>
      </div>
      {[...fromErr, ...minErr].length > 0 && <div className="field-error">{[...fromErr, ...minErr].join('; ')}</div>}
      {failure && <div className="field-error">{failure}</div>}
      <output className="workcal-due-answer" aria-live="polite" data-due={answer ?? ''}>
        {answer ? t('workcal.dueAnswer', { when: formatDateTime(answer) }) : ''}
      </output>
    </fieldset>
  );
}

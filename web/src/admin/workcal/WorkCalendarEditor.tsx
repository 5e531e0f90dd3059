import { useEffect, useState, type FormEvent } from 'react';
import { etagOf, workCalendars, type FieldError } from '../../api';
import { ErrorBanner, errorText } from '../../common/ErrorBanner';
import { FormField, inputAria } from '../../common/FormField';
import { t } from '../../i18n';
import { messagesFor, splitErrors } from '../fieldErrors';
import { DuePreview } from './DuePreview';
import { HolidayList } from './HolidayList';
import { WeekGrid } from './WeekGrid';
import { fromHolidayDraft, fromSpans, timeZones, toHolidayDraft, toSpans, type HolidayDraft, type SpanDraft } from './draft';

const NEW_WEEK: SpanDraft[][] = [0, 1, 2, 3, 4, 5, 6].map((i) => (i < 5 ? [{ from: '09:00', to: '18:00' }] : []));

interface Props {
  /** The calendar to edit, or null for a new one. */
  id: number | null;
  onDone: (saved: boolean) => void;
}

/** A calendar's name, time zone, week and holidays; saved whole, with If-Match. */
export function WorkCalendarEditor({ id, onDone }: Props) {
  const [loaded, setLoaded] = useState(id === null);
  const [etag, setEtag] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [tz, setTz] = useState('UTC');
  const [week, setWeek] = useState<SpanDraft[][]>(NEW_WEEK);
  const [holidays, setHolidays] = useState<HolidayDraft[]>([]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (id === null) return;
    workCalendars
      .get(id)
      .then((r) => {
        setEtag(etagOf(r));
        setName(r.data.name);
        setTz(r.data.tz);
        setWeek(r.data.week.map(toSpans));
        setHolidays((r.data.holidays ?? []).map(toHolidayDraft));
        setLoaded(true);
      })
      .catch((e) => setBanner(errorText(e)));
  }, [id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setBanner(null);
    setErrors([]);
    const body = { name: name.trim(), tz, week: week.map(fromSpans), holidays: holidays.map(fromHolidayDraft) };
    try {
      if (id === null) await workCalendars.create(body);
      else await workCalendars.update(id, body, etag);
      onDone(true);
    } catch (err) {
      const s = splitErrors(err, ['name', 'tz', 'week', 'holidays']);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }

  const m = (f: string) => messagesFor(errors, f);
  const title = id === null ? t('workcal.addTitle') : t('workcal.editTitle', { name });
  if (!loaded) {
    return <div className="card placeholder">{banner ?? t('common.loading')}</div>;
  }
  return (
    <form
      className="card form-card workcal-editor"
      noValidate
      aria-label={title}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onDone(false);
        }
      }}
    >
      <h2 className="card-title">{title}</h2>
      {banner && <ErrorBanner message={banner} />}
      <div className="form-grid">
        <FormField name="name" label={t('field.name')} required errors={m('name')}>
          <input
            {...inputAria('name', m('name').length > 0)}
            name="name"
            className="input"
            autoFocus
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </FormField>
        <FormField name="tz" label={t('workcal.tz')} errors={m('tz')}>
          <select {...inputAria('tz', m('tz').length > 0)} name="tz" className="input" value={tz} onChange={(e) => setTz(e.target.value)}>
            {timeZones(tz).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </FormField>
        <WeekGrid week={week} errors={errors} onChange={setWeek} />
        <HolidayList holidays={holidays} errors={errors} onChange={setHolidays} />
      </div>
      {id !== null && <DuePreview id={id} />}
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

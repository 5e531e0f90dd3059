import { useEffect, useRef, useState } from 'react';
import { ApiError, currentUser } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { errorsFor, fieldIds, FormField } from '../common/FormField';
import { useOrg, userLabel } from '../common/useOrg';
import { t, type Key } from '../i18n';
import { subscriptions, type Schedule, type Subscription } from './deliveryApi';
import { viewerZone } from './reportsApi';

interface Props {
  reportId: number;
  reportName: string;
  /** The ready report's parameters in view (from, to, days): delivered with the same. */
  params: Record<string, string>;
  onClose: (saved: Subscription | null) => void;
}

const WEEKDAYS: Key[] = ['rd.mon', 'rd.tue', 'rd.wed', 'rd.thu', 'rd.fri', 'rd.sat', 'rd.sun'];

/**
 * "Deliver by mail": who gets the report (each with their own rights, checked by the server when
 * saved), as which file, and when: every week on a day, every month on a day, or a cron expression,
 * in a time zone (the viewer's by default). Escape or Cancel closes it without saving.
 */
export function DeliverDialog({ reportId, reportName, params, onClose }: Props) {
  const org = useOrg();
  const me = currentUser();
  const [recipients, setRecipients] = useState<number[]>(me ? [me.id] : []);
  const [format, setFormat] = useState<'xlsx' | 'csv' | 'pdf'>('xlsx');
  const [kind, setKind] = useState<Schedule['kind']>('weekly');
  const [weekday, setWeekday] = useState(1);
  const [day, setDay] = useState(1);
  const [time, setTime] = useState('08:00');
  const [expr, setExpr] = useState('0 8 * * 1');
  const [tz, setTz] = useState(viewerZone());
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => prev?.focus?.();
  }, []);

  const schedule: Schedule = kind === 'weekly' ? { kind, weekday, time } : kind === 'monthly' ? { kind, day, time } : { kind, expr };
  const save = () => {
    setBusy(true);
    setError(null);
    subscriptions
      .create({ report_id: reportId, format, schedule, recipients, tz, params })
      .then((s) => onClose(s))
      .catch((e) => setError(e))
      .finally(() => setBusy(false));
  };
  const fieldErrors = error instanceof ApiError ? error.errors : [];
  const msgs = (name: string) => errorsFor(fieldErrors, name).map((f) => f.message);
  const nameOf = (field: string) => {
    const m = /^recipients\[(\d+)\]$/.exec(field);
    const u = m ? org.users.find((x) => x.id === recipients[Number(m[1])]) : undefined;
    return u ? userLabel(u) : field;
  };
  const shown = org.users.filter((u) => u.active !== false && userLabel(u).toLowerCase().includes(filter.toLowerCase()));
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose(null)}>
      <div
        className="modal deliver-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="deliver-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose(null);
          }
        }}
      >
        <h2 id="deliver-title">{t('rd.title', { name: reportName })}</h2>
        <p className="muted">{t('rd.rightsNote')}</p>
        {error !== null && (
          <ErrorBanner error={error} extra={fieldErrors.filter((f) => f.field.startsWith('recipients')).map((f) => `${nameOf(f.field)}: ${f.message}`)} />
        )}
        <div className="form-grid">
          <FormField name="rd-format" label={t('rd.format')} errors={msgs('format')}>
            <select id={fieldIds('rd-format').id} className="input" ref={first} value={format} onChange={(e) => setFormat(e.target.value as 'xlsx' | 'csv' | 'pdf')}>
              <option value="xlsx">XLSX</option>
              <option value="pdf">PDF</option>
              <option value="csv">CSV</option>
            </select>
          </FormField>
          <FormField name="rd-repeat" label={t('rd.repeat')} errors={msgs('schedule')}>
            <select id={fieldIds('rd-repeat').id} className="input" value={kind} onChange={(e) => setKind(e.target.value as Schedule['kind'])}>
              <option value="weekly">{t('rd.weekly')}</option>
              <option value="monthly">{t('rd.monthly')}</option>
              <option value="cron">{t('rd.cron')}</option>
            </select>
          </FormField>
          {kind === 'weekly' && (
            <FormField name="rd-weekday" label={t('rd.weekday')}>
              <select id={fieldIds('rd-weekday').id} className="input" value={weekday} onChange={(e) => setWeekday(Number(e.target.value))}>
                {WEEKDAYS.map((k, i) => (
                  <option key={k} value={i + 1}>
                    {t(k)}
                  </option>
                ))}
              </select>
            </FormField>
          )}
          {kind === 'monthly' && (
            <FormField name="rd-day" label={t('rd.day')}>
              <input id={fieldIds('rd-day').id} className="input" type="number" min={1} max={28} value={day} onChange={(e) => setDay(Number(e.target.value))} />
            </FormField>
          )}
          {kind === 'cron' ? (
            <FormField name="rd-expr" label={t('rd.expr')}>
              <input id={fieldIds('rd-expr').id} className="input" value={expr} onChange={(e) => setExpr(e.target.value)} spellCheck={false} />
            </FormField>
          ) : (
            <FormField name="rd-time" label={t('rd.time')}>
              <input id={fieldIds('rd-time').id} className="input" type="time" value={time} onChange={(e) => setTime(e.target.value)} required />
            </FormField>
          )}
          <FormField name="rd-tz" label={t('rd.tz')} errors={msgs('tz')}>
            <input id={fieldIds('rd-tz').id} className="input" value={tz} onChange={(e) => setTz(e.target.value)} spellCheck={false} />
          </FormField>
        </div>
        <fieldset className="deliver-recipients">
          <legend>{t('rd.recipients')}</legend>
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('rd.findPerson')} aria-label={t('rd.findPerson')} />
          {org.error !== null && <ErrorBanner error={org.error} />}
          <ul className="deliver-people">
            {shown.map((u) => (
              <li key={u.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={recipients.includes(u.id)}
                    onChange={(e) => setRecipients((r) => (e.target.checked ? [...r, u.id] : r.filter((x) => x !== u.id)))}
                  />{' '}
                  {userLabel(u)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => onClose(null)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={busy || recipients.length === 0} onClick={save}>
            {t('rd.save')}
          </button>
        </div>
      </div>
    </div>
  );
}

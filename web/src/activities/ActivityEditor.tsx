import './activities.css';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { activities, ApiError, currentUser, etagOf, type Activity, type ActivityKind, type FieldError } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { errorsFor } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { navigate } from '../router';
import { ActivityFields } from './ActivityFields';
import { activityTitle } from './activityText';
import { draftBody, draftOf, emptyDraft, type Draft } from './draft';
import { KindPicker } from './KindPicker';
import { kindLabel } from './kinds';

interface Props {
  /** null: a new activity of `kind`, with the links and the page to return to from `query`. */
  id: number | null;
  kind: ActivityKind;
  query: URLSearchParams;
}

const KNOWN = ['subject', 'body', 'status', 'priority', 'due_at', 'start_at', 'end_at', 'place', 'direction', 'phone', 'duration_s', 'result', 'email_from', 'email_to', 'estimate_min', 'spent_min', 'owner_id', 'participants', 'checklist', 'reminders', 'recurrence', 'company_id', 'contact_id', 'deal_id'];

/** Where to go after saving: the page it was opened from (a company's timeline), else the activity. */
function returnPath(query: URLSearchParams): string | null {
  const r = query.get('return');
  return r && /^\/[a-z-]+(\/\d+)?$/.test(r) ? r : null;
}

function presetDraft(kind: ActivityKind, q: URLSearchParams): Draft {
  const d = emptyDraft(kind, currentUser()?.id ?? null);
  const link = (name: string) => {
    const id = q.get(`${name}_id`);
    return id && /^\d+$/.test(id) ? { id, label: q.get(`${name}_name`) || `#${id}` } : { id: '', label: '' };
  };
  return { ...d, company: link('company'), contact: link('contact'), deal: link('deal') };
}

/** The create and edit form of an activity: the kind's fields only; the kind is chosen once. */
export function ActivityEditor({ id, kind, query }: Props) {
  const toast = useToast();
  const [draft, setDraft] = useState<Draft | null>(id === null ? presetDraft(kind, query) : null);
  const [original, setOriginal] = useState<Draft | null>(null);
  const [record, setRecord] = useState<Activity | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<{ text: string; extra?: string[] } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useTitle(id === null ? t('activity.new.any') : record ? activityTitle(record) : t('activities.title'));

  useEffect(() => {
    if (id === null) return;
    let live = true;
    activities
      .get(id)
      .then((r) => {
        if (!live) return;
        setRecord(r.data);
        setEtag(etagOf(r));
        const d = draftOf(r.data);
        setDraft(d);
        setOriginal(d);
      })
      .catch((e) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [id]);

  // After a refused save: the first field with a message gets the focus.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const back = returnPath(query);
  function leave(savedId?: number) {
    if (back) navigate(back);
    else if (savedId) navigate(`/activities/${savedId}`);
    else navigate(id ? `/activities/${id}` : '/activities');
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft || saving) return;
    const body = draftBody(draft, original);
    if (id !== null && Object.keys(body).length === 0) return leave(id);
    setSaving(true);
    setBanner(null);
    try {
      const res = id === null ? await activities.create(body) : await activities.update(id, body, etag);
      toast(id === null ? t('activity.created') : t('activity.saved'));
      leave(res.data.id);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(err.errors);
        const unknown = err.errors.filter((x) => !KNOWN.some((k) => errorsFor([x], k).length)).map((x) => `${x.field} ${x.message}`.trim());
        setBanner({ text: err.detail || t('error.invalid'), extra: unknown });
      } else {
        setBanner({ text: errorText(err) });
      }
    } finally {
      setSaving(false);
    }
  }

  if (loadError) return <section className="page"><ErrorBanner error={loadError} /></section>;
  if (!draft) return <section className="page"><div className="card placeholder">{t('common.loading')}</div></section>;

  const heading = id === null ? t(`activity.new.${draft.kind}`) : `${t('common.edit')}: ${record ? activityTitle(record) : ''}`;
  return (
    <section className="page page-narrow">
      <nav className="breadcrumbs">
        <a href="#/activities">{t('activities.title')}</a>
      </nav>
      <header className="page-header">
        <h1>{heading}</h1>
      </header>
      <form
        ref={formRef}
        className="record-form activity-form"
        noValidate
        onSubmit={save}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !e.defaultPrevented) {
            e.preventDefault();
            leave();
          }
        }}
      >
        {banner && <ErrorBanner message={banner.text} extra={banner.extra} />}
        <section className="card form-card">
          {id === null ? (
            <KindPicker value={draft.kind} onChange={(k) => setDraft({ ...emptyDraft(k, null), ...pick(draft), kind: k, status: emptyDraft(k, null).status, direction: emptyDraft(k, null).direction })} />
          ) : (
            <p className="muted">{t('field.kind')}: {t(kindLabel(draft.kind))}</p>
          )}
          <ActivityFields draft={draft} errors={errors} onChange={setDraft} activityId={id} />
        </section>
        <div className="form-actions sticky">
          <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
          <button type="button" className="btn" onClick={() => leave()}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? t('common.saving') : id === null ? t('activity.create') : t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** What carries over when the kind of a new activity changes: the common fields. */
function pick(d: Draft): Partial<Draft> {
  return { subject: d.subject, body: d.body, owner_id: d.owner_id, company: d.company, contact: d.contact, deal: d.deal, participants: d.participants };
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { desk, deskMailbox, type DeskMailbox, type FieldError, type Queue } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { formatDateTime, formatNumber } from '../format';
import { t } from '../i18n';
import { messagesFor, splitErrors } from './fieldErrors';

interface Form {
  imap_url: string;
  username: string;
  password: string;
  folder: string;
  poll_seconds: string;
  queue_id: string;
  category: string;
  enabled: boolean;
  allow_plain: boolean;
}

const toForm = (m: DeskMailbox): Form => ({
  imap_url: m.imap_url ?? '',
  username: m.username ?? '',
  password: '',
  folder: m.folder,
  poll_seconds: String(m.poll_seconds),
  queue_id: m.queue_id === null ? '' : String(m.queue_id),
  category: m.category ?? '',
  enabled: m.enabled,
  allow_plain: m.allow_plain,
});

/** The settings as the API takes them: empty texts clear, an empty password keeps the stored one. */
function toBody(f: Form): Record<string, unknown> {
  const body: Record<string, unknown> = {
    imap_url: f.imap_url.trim() || null,
    username: f.username.trim() || null,
    folder: f.folder.trim(),
    poll_seconds: Number(f.poll_seconds),
    queue_id: f.queue_id === '' ? null : Number(f.queue_id),
    category: f.category.trim() || null,
    enabled: f.enabled,
    allow_plain: f.allow_plain,
  };
  if (f.password !== '') body.password = f.password;
  return body;
}

const FIELDS = ['imap_url', 'username', 'password', 'folder', 'poll_seconds', 'queue_id', 'category', 'enabled', 'allow_plain'];

/** #/admin/desk-mailbox: the IMAP mailbox the service desk reads, the last check, and "Check now". */
export function MailboxScreen() {
  const toast = useToast();
  const [box, setBox] = useState<DeskMailbox | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('mailbox.title'));

  const load = useCallback(async () => {
    try {
      const m = await deskMailbox.get();
      setBox(m);
      setForm(toForm(m));
    } catch (e) {
      setBanner(splitErrors(e, []).banner);
    }
  }, []);

  useEffect(() => {
    void load();
    desk.queues.list().then(setQueues).catch(() => {});
  }, [load]);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (form === null) return;
    setBusy(true);
    setErrors([]);
    setBanner(null);
    try {
      const m = await deskMailbox.put(toBody(form));
      setBox(m);
      setForm(toForm(m));
      toast(t('mailbox.saved'));
    } catch (err) {
      const s = splitErrors(err, FIELDS);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setBusy(false);
    }
  }

  async function checkNow() {
    setBusy(true);
    setBanner(null);
    try {
      const m = await deskMailbox.check();
      setBox(m);
      toast(t('mailbox.checked', { n: formatNumber(m.fetched ?? 0) }));
    } catch (err) {
      setBanner(splitErrors(err, []).banner);
    } finally {
      setBusy(false);
    }
  }

  const set = (k: keyof Form, v: string | boolean) => setForm((f) => (f === null ? f : { ...f, [k]: v }));
  const fieldErrors = (name: string) =>
    messagesFor(errors, name).map((m) => (
      <p key={m} className="field-error" role="alert">
        {m}
      </p>
    ));
  const text = (name: keyof Form, label: Parameters<typeof t>[0], type = 'text', hint?: string) => (
    <div className="field">
      <label htmlFor={`mailbox-${name}`}>{t(label)}</label>
      <input
        id={`mailbox-${name}`}
        className="input"
        type={type}
        value={String(form?.[name] ?? '')}
        placeholder={hint}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
        onChange={(e) => set(name, e.target.value)}
      />
      {fieldErrors(name)}
    </div>
  );

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('mailbox.title')}</h1>
          <p className="subtitle">{t('mailbox.subtitle')}</p>
        </div>
      </header>
      {banner !== null && <ErrorBanner message={banner} onDismiss={() => setBanner(null)} />}
      {box !== null && (
        <div className="card" data-testid="mailbox-status">
          <h2 className="card-title">{t('mailbox.status')}</h2>
          <p className="card-body">
            {box.last_check_at === null ? t('mailbox.never') : t('mailbox.lastCheck', { at: formatDateTime(box.last_check_at) })}
            {box.last_ok_at !== null && <span className="muted"> · {t('mailbox.lastOk', { at: formatDateTime(box.last_ok_at) })}</span>}
          </p>
          <p className="card-body" data-testid="mailbox-error">
            {box.last_error ? t('mailbox.lastError', { error: box.last_error }) : t('mailbox.ok')}
          </p>
          <p className="card-body muted">{t('mailbox.imported', { n: formatNumber(box.imported) })}</p>
          <div className="form-actions">
            <button type="button" className="btn" disabled={busy || !box.imap_url} onClick={() => void checkNow()}>
              {t('mailbox.checkNow')}
            </button>
          </div>
        </div>
      )}
      {form !== null && (
        <form className="card form-card" onSubmit={(e) => void save(e)}>
          {text('imap_url', 'mailbox.url', 'text', t('mailbox.urlHint'))}
          {text('username', 'mailbox.username')}
          {text('password', 'mailbox.password', 'password', box?.password_set ? t('mailbox.passwordKeep') : '')}
          {text('folder', 'mailbox.folder')}
          {text('poll_seconds', 'mailbox.poll', 'number')}
          <div className="field">
            <label htmlFor="mailbox-queue_id">{t('mailbox.queue')}</label>
            <select id="mailbox-queue_id" className="input" value={form.queue_id} onChange={(e) => set('queue_id', e.target.value)}>
              <option value="">{t('mailbox.noQueue')}</option>
              {queues.map((q) => (
                <option key={q.id} value={String(q.id)}>
                  {q.name}
                </option>
              ))}
            </select>
            {fieldErrors('queue_id')}
          </div>
          {text('category', 'mailbox.category')}
          <div className="check-list">
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> {t('mailbox.enabled')}
            </label>
            {fieldErrors('enabled')}
            <label className="check">
              <input type="checkbox" checked={form.allow_plain} onChange={(e) => set('allow_plain', e.target.checked)} /> {t('mailbox.allowPlain')}
            </label>
          </div>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {t('mailbox.save')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

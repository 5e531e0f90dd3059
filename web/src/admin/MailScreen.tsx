import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { mail as mailApi, type MailStatus } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { formatDateTime, formatNumber } from '../format';
import { t } from '../i18n';

/** #/admin/mail: where mail goes, the outbox at a glance, and a test mail to check the settings. */
export function MailScreen() {
  const toast = useToast();
  const [status, setStatus] = useState<MailStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [to, setTo] = useState('');
  const [sending, setSending] = useState(false);
  useTitle(t('mail.title'));

  const load = useCallback(async () => {
    try {
      setStatus(await mailApi.status());
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // While mail waits in the outbox, look again every two seconds.
  const waiting = status !== null && status.queued > 0;
  useEffect(() => {
    if (!waiting) return undefined;
    const id = window.setInterval(() => void load(), 2000);
    return () => window.clearInterval(id);
  }, [waiting, load]);

  async function sendTest(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSending(true);
    try {
      await mailApi.test(to.trim());
      toast(t('mail.testQueued', { to: to.trim() }));
      void load();
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('mail.title')}</h1>
          <p className="subtitle">
            {status === null
              ? t('common.loading')
              : status.configured
                ? t('mail.configured', { url: status.url ?? '', from: status.from ?? '' })
                : t('mail.notConfigured')}
          </p>
        </div>
      </header>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      <form className="card form-card" onSubmit={(e) => void sendTest(e)}>
        <h2 className="card-title">{t('mail.testTitle')}</h2>
        <div className="field">
          <label htmlFor="mail-test-to">{t('mail.testTo')}</label>
          <input id="mail-test-to" className="input" type="email" required value={to} onChange={(e) => setTo(e.target.value)} autoComplete="email" />
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={sending || to.trim() === '' || status?.configured === false}>
            {t('mail.testSend')}
          </button>
        </div>
      </form>
      {status !== null && (
        <div className="card table-card">
          <p className="card-body">
            {t('mail.counts', { queued: formatNumber(status.queued), sent: formatNumber(status.sent), failed: formatNumber(status.failed) })}
            {status.last_error && <span className="muted"> · {t('mail.lastError', { error: status.last_error })}</span>}
          </p>
          {status.recent.length === 0 ? (
            <p className="card-body muted">{t('mail.none')}</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table mail-table">
                <caption className="sr-only">{t('mail.recent')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('mail.created')}</th>
                    <th scope="col">{t('mail.to')}</th>
                    <th scope="col">{t('mail.subject')}</th>
                    <th scope="col">{t('mail.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {status.recent.map((m) => (
                    <tr key={m.id} data-mail-id={m.id}>
                      <td className="nowrap">{formatDateTime(m.created_at)}</td>
                      <td>{m.to}</td>
                      <td>{m.subject}</td>
                      <td>
                        <span className={m.status === 'sent' ? 'state-pill on' : 'state-pill off'} title={m.last_error ?? ''}>
                          {t(m.status === 'sent' ? 'mail.sent' : m.status === 'failed' ? 'mail.failed' : 'mail.queued')}
                          {m.status !== 'sent' && m.last_error ? `: ${m.last_error}` : ''}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

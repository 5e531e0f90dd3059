// The iCalendar feed: one secret address per user for calendar apps. The address is shown once,
// when made (the server keeps only its hash); a new one replaces it; revoking ends it.
import { useState } from 'react';
import { ApiError, calendarFeed } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';

export function CalendarFeedCard() {
  const toast = useToast();
  const [url, setUrl] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    setNotice(null);
    setCopied(false);
    try {
      const made = await calendarFeed.create();
      setUrl(made.url);
      toast(t('feed.created'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke() {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await calendarFeed.revoke();
      setUrl(null);
      setNotice(t('feed.revoked'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setUrl(null);
        setNotice(t('feed.noneToRevoke'));
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <section className="card account-card" aria-labelledby="feed-title">
      <h2 id="feed-title">{t('feed.title')}</h2>
      <p className="muted">{t('feed.intro')}</p>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {notice && (
        <p className="banner banner-info" role="status">
          {notice}
        </p>
      )}
      {url && (
        <div className="feed-secret">
          <p className="banner banner-warning" id="feed-warning">
            <strong>{t('feed.warning')}</strong> {t('feed.once')}
          </p>
          <label className="field-label" htmlFor="feed-url">
            {t('feed.url')}
          </label>
          <div className="list-row">
            <input id="feed-url" className="input feed-url" readOnly value={url} aria-describedby="feed-warning" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn btn-sm" onClick={copy}>
              {copied ? t('feed.copied') : t('feed.copy')}
            </button>
          </div>
        </div>
      )}
      <div className="list-row feed-actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void create()}>
          {url ? t('feed.replace') : t('feed.create')}
        </button>
        <button type="button" className="btn btn-danger-ghost" disabled={busy} onClick={() => void revoke()}>
          {t('feed.revoke')}
        </button>
      </div>
    </section>
  );
}

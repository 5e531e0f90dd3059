// The iCalendar feed: one secret address per user for calendar apps. The address is shown once,
// when made (the server keeps only its hash); a new one replaces it; revoking ends it.
import { useEffect, useState } from 'react';
import { ApiError, calendarFeed } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { formatDateTime } from '../format';
import { t } from '../i18n';

export function CalendarFeedCard() {
  const toast = useToast();
  const [url, setUrl] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // When the live address was made (null: none); the address itself is not kept.
  const [since, setSince] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    calendarFeed
      .status()
      .then((s) => live && setSince(s.active ? s.created_at : null))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  async function create() {
    setBusy(true);
    setError(null);
    setNotice(null);
    setCopied(false);
    try {
      const made = await calendarFeed.create();
      setUrl(made.url);
      setSince(new Date().toISOString());
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
      setSince(null);
      setNotice(t('feed.revoked'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setUrl(null);
        setSince(null);
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
      {since && !url && <p className="feed-since">{t('feed.activeSince', { when: formatDateTime(since) })}</p>}
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

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { notifications, type AppNotification } from '../api';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';

const POLL_MS = 60000;
/** After this many failed connections in a row the stream is given up for polling. */
const MAX_STREAM_FAILURES = 5;

/**
 * The unread count, live: Server-Sent Events from /notifications/stream (`count` events), with
 * reconnection by backoff on errors and polling /notifications/count every minute when the stream
 * keeps failing or EventSource is missing. `end` (the session is over) closes the stream and asks
 * the count once: its 401 takes the app to the sign-in screen.
 */
export function useUnreadCount(): [number, (n: number) => void] {
  const [count, setCount] = useState(0);
  useEffect(() => {
    let live = true;
    let es: EventSource | null = null;
    let retryTimer = 0;
    let pollTimer = 0;
    let failures = 0;

    const poll = () => {
      notifications
        .count()
        .then((n) => live && setCount(n))
        .catch(() => {
          /* a 401 signs out through the app's handler; other errors wait for the next try */
        });
    };
    const startPolling = () => {
      if (pollTimer) return;
      poll();
      pollTimer = window.setInterval(poll, POLL_MS);
    };
    const stopPolling = () => {
      if (pollTimer) window.clearInterval(pollTimer);
      pollTimer = 0;
    };
    const connect = () => {
      if (!live) return;
      if (typeof EventSource === 'undefined') {
        startPolling();
        return;
      }
      try {
        es = new EventSource(notifications.streamUrl, { withCredentials: true });
      } catch {
        startPolling();
        return;
      }
      es.addEventListener('count', (ev) => {
        failures = 0;
        stopPolling();
        try {
          const d = JSON.parse((ev as MessageEvent<string>).data) as { unread?: number };
          if (live && typeof d.unread === 'number') setCount(d.unread);
        } catch {
          /* a malformed event changes nothing */
        }
      });
      es.addEventListener('end', () => {
        es?.close();
        es = null;
        stopPolling();
        // The session is over: this request answers 401 and the app signs out.
        poll();
      });
      es.onerror = () => {
        es?.close();
        es = null;
        if (!live) return;
        failures += 1;
        // The count from the plain route keeps the badge right meanwhile (and notices a 401).
        if (failures >= MAX_STREAM_FAILURES) startPolling();
        else poll();
        const delay = failures >= MAX_STREAM_FAILURES ? 5 * POLL_MS : Math.min(30000, 1000 * 2 ** failures);
        retryTimer = window.setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      live = false;
      es?.close();
      window.clearTimeout(retryTimer);
      stopPolling();
    };
  }, []);
  return [count, setCount];
}

/** Where a notification leads: its record's page. */
function recordHref(n: AppNotification): string | null {
  if (!n.entity || !n.record_id) return null;
  if (!['activities', 'companies', 'contacts', 'deals'].includes(n.entity)) return null;
  return `#/${n.entity}/${n.record_id}`;
}

function kindLabel(kind: string): string {
  const key = `bell.kind.${kind}` as Key;
  const s = t(key);
  return s === key ? kind : s;
}

const bellIcon = (
  <svg viewBox="0 0 20 20" aria-hidden="true">
    <path
      d="M5 8.5a5 5 0 0 1 10 0c0 3.6 1.5 5 1.5 5h-13S5 12.1 5 8.5ZM8.3 16.5a1.9 1.9 0 0 0 3.4 0"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </svg>
);

/** The bell of the top bar: unread count, and a panel with the notifications (unread first). */
export function NotificationBell() {
  const [count, setCount] = useUnreadCount();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  const load = useCallback(() => {
    notifications
      .list({ limit: 30 })
      .then((p) => {
        setItems(p.data);
        setError(null);
      })
      .catch((e: Error) => setError(e.message || t('bell.loadFailed')));
  }, []);

  // The list follows the count while the panel is open (a new one arrives, or one is read elsewhere).
  useEffect(() => {
    if (open) load();
  }, [open, count, load]);

  const close = useCallback((focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close(true);
      }
    };
    const onDown = (e: MouseEvent) => {
      if (boxRef.current && !boxRef.current.contains(e.target as Node)) close(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open, close]);

  // Leaving the page (a link followed) closes the panel.
  useEffect(() => {
    const onHash = () => setOpen(false);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const markRead = (n: AppNotification) => {
    if (n.read) return;
    setItems((list) => list?.map((x) => (x.id === n.id ? { ...x, read: true } : x)) ?? null);
    notifications
      .read(n.id)
      .then(setCount)
      .catch(() => {
        /* the next count corrects the badge */
      });
  };

  const markAll = () => {
    notifications
      .readAll()
      .then((n) => {
        setCount(n);
        setItems((list) => list?.map((x) => ({ ...x, read: true })) ?? null);
      })
      .catch((e: Error) => setError(e.message));
  };

  const label = count > 0 ? t('bell.labelUnread', { n: count }) : t('bell.label');
  return (
    <div className="bell" ref={boxRef}>
      <button
        type="button"
        ref={buttonRef}
        className={count > 0 ? 'bell-button has-unread' : 'bell-button'}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        title={label}
        onClick={() => setOpen((o) => !o)}
      >
        {bellIcon}
        {count > 0 && (
          <span className="bell-badge" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      <span className="sr-only" aria-live="polite">
        {count > 0 ? t('bell.labelUnread', { n: count }) : ''}
      </span>
      {open && (
        <div className="bell-panel" id={panelId} role="region" aria-label={t('bell.title')}>
          <div className="bell-head">
            <h2>{t('bell.title')}</h2>
            <button type="button" className="btn btn-sm" onClick={markAll} disabled={count === 0}>
              {t('bell.readAll')}
            </button>
          </div>
          {error && (
            <p className="bell-status" role="alert">
              {error}
            </p>
          )}
          {!items && !error && <p className="bell-status">{t('bell.loading')}</p>}
          {items && items.length === 0 && <p className="bell-status">{t('bell.empty')}</p>}
          {items && items.length > 0 && (
            <ul className="bell-list">
              {items.map((n) => {
                const href = recordHref(n);
                const inner = (
                  <>
                    <span className="bell-kind">{kindLabel(n.kind)}</span>
                    <span className="bell-title">{n.title || kindLabel(n.kind)}</span>
                    {n.body && <span className="bell-body">{n.body}</span>}
                    <span className="bell-time">{formatDateTime(n.created_at)}</span>
                    {!n.read && <span className="sr-only">{t('bell.unread')}</span>}
                  </>
                );
                return (
                  <li key={n.id} className={n.read ? 'bell-item' : 'bell-item unread'}>
                    {href ? (
                      <a href={href} onClick={() => markRead(n)}>
                        {inner}
                      </a>
                    ) : (
                      <button type="button" onClick={() => markRead(n)}>
                        {inner}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

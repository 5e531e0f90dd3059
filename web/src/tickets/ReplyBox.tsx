import { useEffect, useRef, useState } from 'react';
import { desk, kb, type CannedResponse, type KbArticleSummary, type Ticket } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { t } from '../i18n';

/**
 * A public reply or an internal note. A canned response is rendered by the server for this
 * ticket (placeholders filled) and inserted at the cursor, to be edited before sending.
 */
export function ReplyBox({ ticket, onSent }: { ticket: Ticket; onSent: () => Promise<void> }) {
  const [kind, setKind] = useState<'public' | 'internal'>('public');
  const [body, setBody] = useState('');
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [articles, setArticles] = useState<KbArticleSummary[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const toast = useToast();

  useEffect(() => {
    let live = true;
    desk.canned
      .list()
      .then((c) => live && setCanned(c))
      .catch(() => {
        /* replies still work without canned responses */
      });
    kb.list({})
      .then((a) => live && setArticles(a))
      .catch(() => {
        /* replies still work without the knowledge base */
      });
    return () => {
      live = false;
    };
  }, []);

  /** Puts text at the cursor (replacing a selection) and gives the box the focus back. */
  const place = (text: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : body.length;
    const end = el ? el.selectionEnd : body.length;
    setBody((b) => b.slice(0, at) + text + b.slice(end));
    el?.focus();
  };

  /** A link to an article: its title and its address in the app. A public reply offers public articles only. */
  const linkArticle = (id: number) => {
    const a = articles.find((x) => x.id === id);
    if (a) place(`${a.title}: ${window.location.origin}${window.location.pathname}#/kb/${a.id}`);
  };
  const linkable = articles.filter((a) => kind === 'internal' || a.visibility === 'public');

  const insert = async (cannedId: number) => {
    setError(null);
    try {
      place(await desk.render(cannedId, ticket.id));
    } catch (e) {
      setError(e);
    }
  };

  const send = async () => {
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await desk.reply(ticket.id, { kind, body });
      setBody('');
      toast(t(kind === 'internal' ? 'desk.noteAdded' : 'desk.replySent'));
      await onSent();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={`card reply-box reply-${kind}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div className="reply-kinds" role="radiogroup" aria-label={t('desk.replyKind')}>
        <label>
          <input type="radio" name="reply-kind" checked={kind === 'public'} onChange={() => setKind('public')} />
          {t('desk.kind.public')}
        </label>
        <label>
          <input type="radio" name="reply-kind" checked={kind === 'internal'} onChange={() => setKind('internal')} />
          {t('desk.kind.internal')}
        </label>
        {canned.length > 0 && (
          <label className="reply-canned">
            <span>{t('desk.canned')}</span>
            <select
              value=""
              onChange={(e) => {
                if (e.target.value) void insert(Number(e.target.value));
              }}
            >
              <option value="">{t('desk.cannedPick')}</option>
              {canned.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {linkable.length > 0 && (
          <label className="reply-canned reply-article">
            <span>{t('desk.article')}</span>
            <select
              value=""
              onChange={(e) => {
                if (e.target.value) linkArticle(Number(e.target.value));
              }}
            >
              <option value="">{t('desk.articlePick')}</option>
              {linkable.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.title}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <label className="reply-body">
        <span>{t(kind === 'internal' ? 'desk.noteBody' : 'desk.replyBody')}</span>
        <textarea ref={area} rows={6} value={body} maxLength={100000} onChange={(e) => setBody(e.target.value)} />
      </label>
      {kind === 'internal' && <p className="field-hint">{t('desk.internalHint')}</p>}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !body.trim()}>
          {t(kind === 'internal' ? 'desk.addNote' : 'desk.send')}
        </button>
      </div>
    </form>
  );
}

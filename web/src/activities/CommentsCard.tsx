import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { activities, currentUser, type ActivityComment } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { formatDateTime } from '../format';
import { t } from '../i18n';

const MAX_BODY = 10000;

/** Comments on an activity's page: oldest first; anyone who reads the activity adds; the author (or an administrator) deletes. */
export function CommentsCard({ activityId }: { activityId: number }) {
  const toast = useToast();
  const me = currentUser();
  const [list, setList] = useState<ActivityComment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const headingId = useId();

  const load = useCallback(
    (signal?: AbortSignal) =>
      activities
        .comments(activityId, signal)
        .then(setList)
        .catch((e) => {
          if (!(e instanceof DOMException && e.name === 'AbortError')) setError(errorText(e));
        }),
    [activityId],
  );
  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  async function add(e: FormEvent) {
    e.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    try {
      const c = await activities.addComment(activityId, body);
      setList((l) => [...(l ?? []), c]);
      setText('');
      toast(t('comments.added'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(c: ActivityComment) {
    setError(null);
    try {
      await activities.removeComment(activityId, c.id);
      setList((l) => l?.filter((x) => x.id !== c.id) ?? null);
      toast(t('comments.deleted'));
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <section className="card comments-card" aria-labelledby={headingId}>
      <h2 className="card-title" id={headingId}>
        {t('comments.title')}
      </h2>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {list === null && !error && <p className="muted">{t('common.loading')}</p>}
      {list && list.length === 0 && <p className="muted">{t('comments.empty')}</p>}
      {list && list.length > 0 && (
        <ol className="comment-list">
          {list.map((c) => {
            const name = c.user_name || t('common.userN', { id: c.user_id });
            const when = formatDateTime(c.created_at);
            return (
              <li key={c.id} className="comment">
                <div className="comment-head">
                  <strong>{name}</strong>
                  <time dateTime={c.created_at} className="muted small">
                    {when}
                  </time>
                  {me && (me.id === c.user_id || me.is_admin) && (
                    <button type="button" className="btn btn-sm btn-danger-ghost" aria-label={t('comments.deleteOf', { name, time: when })} onClick={() => void remove(c)}>
                      {t('comments.delete')}
                    </button>
                  )}
                </div>
                <p className="prewrap comment-body">{c.body}</p>
              </li>
            );
          })}
        </ol>
      )}
      <form className="comment-form" onSubmit={add}>
        <label htmlFor={inputId} className="sr-only">
          {t('comments.new')}
        </label>
        <textarea
          id={inputId}
          className="input"
          rows={3}
          maxLength={MAX_BODY}
          placeholder={t('comments.new')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) add(e);
          }}
        />
        <div className="form-actions-inline">
          <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()}>
            {busy ? t('comments.adding') : t('comments.add')}
          </button>
        </div>
      </form>
    </section>
  );
}

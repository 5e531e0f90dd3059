import { useEffect, useState } from 'react';
import { currentUser, kb, type KbArticle } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { QuizCard } from './QuizCard';
import { SafeHtml } from './SafeHtml';

/** #/kb/7: the article as the server rendered it, and its quiz when it is a training article. */
export function ArticlePage({ id }: { id: number }) {
  const [article, setArticle] = useState<KbArticle | null>(null);
  const [error, setError] = useState<unknown>(null);
  useTitle(article?.title ?? t('kb.title'));
  const admin = currentUser()?.is_admin === true;

  useEffect(() => {
    let live = true;
    kb.get(id)
      .then((a) => live && setArticle(a))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id]);

  if (article === null) {
    return (
      <section className="page">
        {error !== null ? <ErrorBanner error={error} /> : <div className="card placeholder">{t('common.loading')}</div>}
      </section>
    );
  }
  return (
    <section className="page kb-page">
      <header className="page-header">
        <div>
          <p className="muted">
            <a href="#/kb">{t('kb.title')}</a> · {t(article.visibility === 'public' ? 'kb.public' : 'kb.internal')} · {formatDateTime(article.updated_at)}
          </p>
          <h1 className="kb-title">{article.title}</h1>
        </div>
        {admin && (
          <div className="page-actions">
            <a className="btn" href={`#/kb/${article.id}/edit`}>
              {t('common.edit')}
            </a>
            <button
              type="button"
              className="btn btn-danger-ghost"
              onClick={() => {
                if (!window.confirm(t('kb.confirmDelete', { title: article.title }))) return;
                kb.remove(article.id)
                  .then(() => navigate('/kb'))
                  .catch(setError);
              }}
            >
              {t('common.delete')}
            </button>
          </div>
        )}
      </header>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <article className="card kb-article">
        <SafeHtml html={article.body_html} className="kb-body" />
      </article>
      {article.quiz && <QuizCard article={article} />}
    </section>
  );
}

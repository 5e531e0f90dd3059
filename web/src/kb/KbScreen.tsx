import { useEffect, useState } from 'react';
import { currentUser, kb, type KbArticleSummary, type KbCategory } from '../api';
import { ErrorBanner, NotFoundPage } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { ArticleEditor } from './ArticleEditor';
import { ArticlePage } from './ArticlePage';
import './kb.css';

/** #/kb (?q=&category_id=), #/kb/new, #/kb/7, #/kb/7/edit */
export function KbScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  const [, sub, action] = path;
  if (!sub) return <KbList query={query} />;
  if (sub === 'new') return <ArticleEditor id={null} />;
  const id = Number(sub);
  if (!Number.isInteger(id) || id <= 0) {
    return <NotFoundPage />;
  }
  return action === 'edit' ? <ArticleEditor key={`e${id}`} id={id} /> : <ArticlePage key={id} id={id} />;
}

/** The categories, for the list's filter and the editor. */
export function useKbCategories(): KbCategory[] {
  const [list, setList] = useState<KbCategory[]>([]);
  useEffect(() => {
    let live = true;
    kb.categories
      .list()
      .then((c) => live && setList(c))
      .catch(() => {
        /* the filter offers no categories */
      });
    return () => {
      live = false;
    };
  }, []);
  return list;
}

function KbList({ query }: { query: URLSearchParams }) {
  useTitle(t('kb.title'));
  const categories = useKbCategories();
  const [rows, setRows] = useState<KbArticleSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [text, setText] = useState(query.get('q') ?? '');
  const q = query.get('q') ?? '';
  const category = query.get('category_id') ?? '';

  useEffect(() => {
    const ctl = new AbortController();
    kb.list({ q, category_id: category }, ctl.signal)
      .then((r) => {
        setRows(r);
        setError(null);
      })
      .catch((e) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      });
    return () => ctl.abort();
  }, [q, category]);

  const go = (next: Record<string, string>) => {
    const p = new URLSearchParams({ q, category_id: category, ...next });
    for (const k of Array.from(p.keys())) if (!p.get(k)) p.delete(k);
    const s = p.toString();
    navigate(`/kb${s ? `?${s}` : ''}`);
  };
  const nameOf = (id: number | null) => categories.find((c) => c.id === id)?.name ?? '';

  return (
    <section className="page kb-page">
      <header className="page-header">
        <div>
          <h1>{t('kb.title')}</h1>
        </div>
        {currentUser()?.is_admin && (
          <a className="btn btn-primary" href="#/kb/new">
            {t('kb.new')}
          </a>
        )}
      </header>
      <form
        className="card kb-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: text.trim() });
        }}
      >
        <label>
          <span>{t('kb.search')}</span>
          <input className="input" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          <span>{t('kb.category')}</span>
          <select className="input" value={category} onChange={(e) => go({ category_id: e.target.value })}>
            <option value="">{t('kb.allCategories')}</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn">
          {t('kb.find')}
        </button>
      </form>
      {error !== null && <ErrorBanner error={error} />}
      {rows === null && error === null && <div className="card placeholder">{t('common.loading')}</div>}
      {rows !== null && rows.length === 0 && <div className="card empty-state">{t('kb.none')}</div>}
      {rows !== null && rows.length > 0 && (
        <ul className="kb-list card">
          {rows.map((a) => (
            <li key={a.id} data-id={a.id}>
              <a href={`#/kb/${a.id}`}>{a.title}</a>
              <span className="muted">
                {[nameOf(a.category_id), t(a.visibility === 'public' ? 'kb.public' : 'kb.internal'), a.has_quiz ? t('kb.training') : '', formatDateTime(a.updated_at)]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import { useEffect, useState } from 'react';
import { ApiError, currentUser, kb, type FieldError, type KbQuestion, type KbVisibility } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { FormField, errorsFor, fieldIds } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { navigate } from '../router';
import { useKbCategories } from './KbScreen';

/** A question as the form holds it: the choices one per line, the right one by its number. */
interface DraftQuestion {
  question: string;
  choices: string;
  answer: string;
}

const toDraft = (q: KbQuestion): DraftQuestion => ({ question: q.question, choices: q.choices.join('\n'), answer: String((q.answer ?? 0) + 1) });
const fromDraft = (d: DraftQuestion) => ({
  question: d.question,
  choices: d.choices.split('\n').map((c) => c.trim()).filter(Boolean),
  answer: Number(d.answer) - 1,
});

/** #/kb/new and #/kb/7/edit (administrators): Markdown in, the server renders and sanitises. */
export function ArticleEditor({ id }: { id: number | null }) {
  useTitle(t(id === null ? 'kb.new' : 'kb.edit'));
  const categories = useKbCategories();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<KbVisibility>('internal');
  const [category, setCategory] = useState('');
  const [quiz, setQuiz] = useState<DraftQuestion[]>([]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (id === null) return;
    kb.get(id)
      .then((a) => {
        setTitle(a.title);
        setBody(a.body);
        setVisibility(a.visibility);
        setCategory(a.category_id === null ? '' : String(a.category_id));
        setQuiz((a.quiz ?? []).map(toDraft));
      })
      .catch(setError);
  }, [id]);

  if (!currentUser()?.is_admin) {
    return (
      <section className="page">
        <ErrorBanner message={t('admin.only')} />
      </section>
    );
  }
  const msgs = (name: string) => errorsFor(errors, name).map((e) => e.message);
  const save = async () => {
    setBusy(true);
    setErrors([]);
    setError(null);
    const payload = { title, body, visibility, category_id: category ? Number(category) : null, quiz: quiz.length ? quiz.map(fromDraft) : null };
    try {
      const saved = id === null ? await kb.create(payload) : await kb.update(id, payload);
      navigate(`/kb/${saved.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) setErrors(e.errors);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };
  const setQ = (i: number, patch: Partial<DraftQuestion>) => setQuiz((qs) => qs.map((q, j) => (j === i ? { ...q, ...patch } : q)));

  return (
    <section className="page kb-page">
      <header className="page-header">
        <div>
          <p className="muted">
            <a href="#/kb">{t('kb.title')}</a>
          </p>
          <h1>{t(id === null ? 'kb.new' : 'kb.edit')}</h1>
        </div>
      </header>
      {error !== null && <ErrorBanner error={error} />}
      <form
        className="card record-form kb-editor"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="form-grid">
          <FormField name="title" label={t('kb.articleTitle')} required errors={msgs('title')} wide>
            <input className="input" id={fieldIds('title').id} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </FormField>
          <FormField name="category_id" label={t('kb.category')} errors={msgs('category_id')}>
            <select className="input" id={fieldIds('category_id').id} value={category} onChange={(e) => setCategory(e.target.value)}>
              <option value="">—</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </FormField>
          <FormField name="visibility" label={t('kb.visibility')} errors={msgs('visibility')}>
            <select className="input" id={fieldIds('visibility').id} value={visibility} onChange={(e) => setVisibility(e.target.value as KbVisibility)}>
              <option value="internal">{t('kb.internal')}</option>
              <option value="public">{t('kb.public')}</option>
            </select>
          </FormField>
          <FormField name="body" label={t('kb.body')} required errors={msgs('body')} hint={t('kb.bodyHint')} wide>
            <textarea className="input kb-markdown" id={fieldIds('body').id} rows={14} value={body} onChange={(e) => setBody(e.target.value)} />
          </FormField>
        </div>
        <fieldset className="kb-quiz-editor">
          <legend>{t('kb.quiz')}</legend>
          {quiz.map((q, i) => (
            <div key={i} className="kb-quiz-question">
              <label>
                <span>{t('kb.question', { n: i + 1 })}</span>
                <input className="input" value={q.question} onChange={(e) => setQ(i, { question: e.target.value })} />
              </label>
              <label>
                <span>{t('kb.choices')}</span>
                <textarea className="input" rows={3} value={q.choices} onChange={(e) => setQ(i, { choices: e.target.value })} />
              </label>
              <label>
                <span>{t('kb.rightChoice')}</span>
                <input className="input input-sm" inputMode="numeric" value={q.answer} onChange={(e) => setQ(i, { answer: e.target.value.replace(/\D/g, '') })} />
              </label>
              <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setQuiz((qs) => qs.filter((_, j) => j !== i))}>
                {t('kb.removeQuestion')}
              </button>
              {msgs(`quiz[${i}]`).map((m) => (
                <span key={m} className="field-error" role="alert">
                  {m}
                </span>
              ))}
            </div>
          ))}
          {errors
            .filter((e) => e.field === 'quiz')
            .map((e) => (
              <span key={e.message} className="field-error" role="alert">
                {e.message}
              </span>
            ))}
          <button type="button" className="btn btn-sm" onClick={() => setQuiz((qs) => [...qs, { question: '', choices: '', answer: '1' }])}>
            + {t('kb.addQuestion')}
          </button>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('common.save')}
          </button>
          <a className="btn" href={id === null ? '#/kb' : `#/kb/${id}`}>
            {t('common.cancel')}
          </a>
        </div>
      </form>
    </section>
  );
}

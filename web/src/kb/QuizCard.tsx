import { useEffect, useState } from 'react';
import { kb, type KbArticle, type KbQuizResult } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { formatDateTime } from '../format';
import { t } from '../i18n';

/**
 * A training article's quiz: one choice per question, the score once sent, and the results
 * the server lets this person see (their own; a head's department; everyone for an admin).
 */
export function QuizCard({ article }: { article: KbArticle }) {
  const quiz = article.quiz ?? [];
  const [answers, setAnswers] = useState<(number | null)[]>(() => quiz.map(() => null));
  const [outcome, setOutcome] = useState<{ score: number; total: number; correct: boolean[] } | null>(null);
  const [results, setResults] = useState<KbQuizResult[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const loadResults = () => {
    kb.results(article.id)
      .then(setResults)
      .catch(() => {
        /* the quiz works without the table */
      });
  };
  useEffect(loadResults, [article.id]);

  const complete = answers.every((a) => a !== null);
  return (
    <section className="card kb-quiz" aria-labelledby="kb-quiz-title">
      <h2 id="kb-quiz-title">{t('kb.quiz')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!complete) return;
          setBusy(true);
          setError(null);
          kb.takeQuiz(article.id, answers as number[])
            .then((o) => {
              setOutcome(o);
              loadResults();
            })
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      >
        {quiz.map((q, i) => (
          <fieldset key={i} className={outcome ? (outcome.correct[i] ? 'kb-q right' : 'kb-q wrong') : 'kb-q'}>
            <legend>{q.question}</legend>
            {q.choices.map((c, k) => (
              <label key={k}>
                <input type="radio" name={`q${i}`} checked={answers[i] === k} onChange={() => setAnswers((a) => a.map((x, j) => (j === i ? k : x)))} />
                {c}
              </label>
            ))}
          </fieldset>
        ))}
        {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        <div className="form-actions">
          {outcome && (
            <strong className="kb-score" role="status">
              {t('kb.score', { score: outcome.score, total: outcome.total })}
            </strong>
          )}
          <button type="submit" className="btn btn-primary" disabled={!complete || busy}>
            {t('kb.submitQuiz')}
          </button>
        </div>
      </form>
      {results.length > 0 && (
        <table className="data-table kb-results">
          <caption>{t('kb.results')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('kb.person')}</th>
              <th scope="col">{t('kb.scoreCol')}</th>
              <th scope="col">{t('kb.when')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>
                  {r.score} / {r.total}
                </td>
                <td>{formatDateTime(r.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

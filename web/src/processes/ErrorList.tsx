import type { FieldError } from '../api';
import { t } from '../i18n';
import { stepOfError } from './graph';
import type { Definition } from './types';

/** Every problem the server found, each a link that selects the step it names. */
export function ErrorList({ def, errors, checking, onPick }: { def: Definition; errors: FieldError[]; checking: boolean; onPick: (step: string | null) => void }) {
  return (
    <section className={errors.length ? 'card pe-errors bad' : 'card pe-errors ok'} aria-label={t('pe.errors')} aria-live="polite">
      {errors.length === 0 ? (
        <p className="pe-valid">{checking ? t('pe.checking') : t('pe.valid')}</p>
      ) : (
        <>
          <h2 className="card-title">{t('pe.problems', { n: errors.length })}</h2>
          <ul>
            {errors.map((e, i) => {
              const step = stepOfError(def, e.field);
              return (
                <li key={i}>
                  <button type="button" className="btn btn-link" onClick={() => onPick(step)}>
                    {e.message}
                  </button>{' '}
                  <code className="muted">{e.field}</code>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

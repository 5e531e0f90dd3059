import { useState, type FormEvent } from 'react';
import { ApiError, auth, type MfaMethod, type User } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { t } from '../i18n';
import { useTitle } from '../common/hooks';
import { SecondStep } from './SecondStep';

interface Props {
  /** enrol: the account must set up a second factor before anything else. */
  onSignedIn: (u: User, enrol?: boolean) => void;
  notice?: string | null;
}

/** The sign-in screen: email and password, Enter submits. */
export function SignIn({ onSignedIn, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [methods, setMethods] = useState<MfaMethod[] | null>(null);
  const [restartNotice, setRestartNotice] = useState<string | null>(null);
  useTitle(t('auth.title'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const a = await auth.login(email.trim(), password);
      setPassword('');
      if (a.mfa_required) {
        setMethods(a.methods ?? []);
        setBusy(false);
      } else if (a.user) {
        onSignedIn(a.user, !!a.mfa_enrol_required);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('auth.failed') : errorText(err));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <div className="signin-page">
      <div className="signin-brand">
        <span className="brand-mark large" aria-hidden="true">
          C
        </span>
        <span className="brand-name">{t('app.name')}</span>
        <p className="signin-tagline">{t('auth.tagline')}</p>
      </div>
      {methods ? (
        <SecondStep
          methods={methods}
          onSignedIn={(u) => onSignedIn(u)}
          onRestart={(n) => {
            setMethods(null);
            setRestartNotice(n);
          }}
        />
      ) : (
      <form className="card signin-card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <h1 id="signin-title">{t('auth.title')}</h1>
        <p className="muted">{t('auth.subtitle')}</p>
        {(restartNotice ?? notice) && !error && <div className="banner banner-info">{restartNotice ?? notice}</div>}
        {error && <ErrorBanner message={error} />}
        <div className="form-field">
          <label className="field-label" htmlFor="signin-email">
            {t('auth.email')}
          </label>
          <input
            id="signin-email"
            name="email"
            type="email"
            className="input"
            autoComplete="username"
            autoFocus
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="form-field">
          <label className="field-label" htmlFor="signin-password">
            {t('auth.password')}
          </label>
          <input
            id="signin-password"
            name="password"
            type="password"
            className="input"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('auth.submitting') : t('auth.submit')}
        </button>
      </form>
      )}
    </div>
  );
}

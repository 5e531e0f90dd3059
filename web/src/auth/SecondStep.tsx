import { useState, type FormEvent } from 'react';
import { ApiError, twofa, type MfaMethod, type Proof, type User } from '../api';
import { getAssertion, webauthnAvailable } from '../account/webauthn';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { t } from '../i18n';
import '../account/twofactor.css';

interface Props {
  methods: MfaMethod[];
  onSignedIn: (u: User) => void;
  /** The pending sign-in ended (too many tries, expired): back to the password. */
  onRestart: (notice: string) => void;
}

/** The second sign-in step: a code from the app, a security key, or a recovery code. */
export function SecondStep({ methods, onSignedIn, onRestart }: Props) {
  const hasTotp = methods.includes('totp');
  const hasKey = methods.includes('webauthn') && webauthnAvailable();
  const [mode, setMode] = useState<'code' | 'recovery'>(hasTotp ? 'code' : 'recovery');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function prove(proof: Proof) {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await twofa.verify(proof));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && /sign in again/i.test(err.detail)) {
        onRestart(err.detail);
        return;
      }
      setError(errorText(err));
      setValue('');
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !value.trim()) return;
    void prove(mode === 'code' ? { code: value.replace(/\s/g, '') } : { recovery_code: value.trim() });
  }

  async function useKey() {
    if (busy) return;
    setBusy(true);
    setError(null);
    let assertion: unknown;
    try {
      assertion = await getAssertion(await twofa.loginOptions());
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('twofa.keyCancelled'));
      setBusy(false);
      return;
    }
    await prove({ assertion });
  }

  return (
    <form className="card signin-card" onSubmit={submit} noValidate aria-labelledby="second-title">
      <h1 id="second-title">{t('twofa.stepTitle')}</h1>
      <p className="muted">{mode === 'code' ? t('twofa.stepCodeHelp') : t('twofa.stepRecoveryHelp')}</p>
      {error && <ErrorBanner message={error} />}
      <div className="form-field">
        <label className="field-label" htmlFor="second-value">
          {mode === 'code' ? t('twofa.code') : t('twofa.recoveryCode')}
        </label>
        <input
          id="second-value"
          name={mode === 'code' ? 'code' : 'recovery_code'}
          className="input"
          autoComplete={mode === 'code' ? 'one-time-code' : 'off'}
          inputMode={mode === 'code' ? 'numeric' : 'text'}
          maxLength={mode === 'code' ? 6 : 16}
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </div>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? t('twofa.checking') : t('twofa.verify')}
      </button>
      {hasKey && (
        <button type="button" className="btn btn-block" onClick={useKey} disabled={busy}>
          {t('twofa.useKey')}
        </button>
      )}
      <p className="signin-alt">
        {mode === 'code' ? (
          <button type="button" className="link-button" onClick={() => { setMode('recovery'); setValue(''); setError(null); }}>
            {t('twofa.useRecovery')}
          </button>
        ) : (
          hasTotp && (
            <button type="button" className="link-button" onClick={() => { setMode('code'); setValue(''); setError(null); }}>
              {t('twofa.useCode')}
            </button>
          )
        )}
      </p>
    </form>
  );
}

// #/account: change one's password, see and end one's sessions, make and
// revoke one's API tokens (the secret is shown once, with a copy button).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, auth, sessions, tokens, type ApiToken, type SessionInfo } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { CalendarFeedCard } from './CalendarFeedCard';
import { SystemBanner } from './SystemBanner';

function PasswordForm() {
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (next !== again) {
      setError(t('account.passwordsDiffer'));
      return;
    }
    setBusy(true);
    try {
      await auth.changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      toast(t('account.passwordChanged'));
    } catch (err) {
      // The policy's reason is the problem's detail (or its field message).
      const field = err instanceof ApiError ? err.errors.find((x) => x.field === 'new_password' || x.field === 'current_password') : undefined;
      setError(err instanceof ApiError && err.detail ? err.detail : field ? field.message : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card account-card" onSubmit={submit} aria-labelledby="pw-title">
      <h2 id="pw-title">{t('account.password')}</h2>
      <p className="muted" id="pw-hint">
        {t('account.passwordHint')}
      </p>
      {error && <ErrorBanner message={error} />}
      <div className="form-field">
        <label className="field-label" htmlFor="pw-current">
          {t('account.currentPassword')}
        </label>
        <input id="pw-current" type="password" className="input" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      </div>
      <div className="form-field">
        <label className="field-label" htmlFor="pw-new">
          {t('account.newPassword')}
        </label>
        <input id="pw-new" type="password" className="input" autoComplete="new-password" aria-describedby="pw-hint" value={next} onChange={(e) => setNext(e.target.value)} required />
      </div>
      <div className="form-field">
        <label className="field-label" htmlFor="pw-again">
          {t('account.repeatPassword')}
        </label>
        <input id="pw-again" type="password" className="input" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t('common.saving') : t('account.password')}
      </button>
    </form>
  );
}

function Sessions() {
  const toast = useToast();
  const [list, setList] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    sessions.list().then(setList, setError);
  }, []);
  useEffect(load, [load]);

  async function end(id: number) {
    try {
      await sessions.end(id);
      load();
    } catch (err) {
      setError(err);
    }
  }
  async function endOthers() {
    try {
      const n = await sessions.endOthers();
      toast(t('account.signedOutOthers', { n }));
      load();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card account-card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('account.sessions')}</h2>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      {list === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table sessions-table">
            <thead>
              <tr>
                <th scope="col">{t('account.sessionStarted')}</th>
                <th scope="col">{t('account.sessionSeen')}</th>
                <th scope="col">{t('account.sessionAddress')}</th>
                <th scope="col">{t('account.sessionAgent')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td>{formatDateTime(s.created_at)}</td>
                  <td>{formatDateTime(s.last_seen_at)}</td>
                  <td>{s.address}</td>
                  <td className="muted agent">{s.agent.slice(0, 80)}</td>
                  <td className="col-actions nowrap">
                    {s.current ? (
                      <strong>{t('account.thisSession')}</strong>
                    ) : (
                      <button type="button" className="btn btn-sm" onClick={() => end(s.id)}>
                        {t('account.signOutSession')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button type="button" className="btn" onClick={endOthers} disabled={!list || list.length < 2}>
        {t('account.signOutOthers')}
      </button>
    </section>
  );
}

function Tokens() {
  const [list, setList] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [days, setDays] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const load = useCallback(() => {
    tokens.list().then(setList, setError);
  }, []);
  useEffect(load, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setCopied(false);
    try {
      const d = days.trim() === '' ? undefined : Number(days);
      const made = await tokens.create({ name: name.trim(), read_only: readOnly, expires_in_days: d });
      setSecret(made.token);
      setName('');
      setDays('');
      setReadOnly(false);
      load();
    } catch (err) {
      setError(err);
    }
  }
  async function revoke(id: number) {
    try {
      await tokens.revoke(id);
      load();
    } catch (err) {
      setError(err);
    }
  }
  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const status = (k: ApiToken) =>
    k.revoked_at ? t('account.tokenRevoked') : k.expired ? t('account.tokenExpired') : k.expires_at ? formatDateTime(k.expires_at) : t('account.tokenNever');

  return (
    <section className="card account-card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t('account.tokens')}</h2>
      <p className="muted">{t('account.tokensHint')}</p>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      {secret && (
        <div className="banner banner-info token-secret" role="status">
          <span>{t('account.tokenSecret')}</span>
          <code data-testid="token-secret">{secret}</code>
          <button type="button" className="btn btn-sm" onClick={copy}>
            {copied ? t('account.tokenCopied') : t('account.tokenCopy')}
          </button>
        </div>
      )}
      <form className="token-form" onSubmit={create}>
        <div className="form-field">
          <label className="field-label" htmlFor="token-name">
            {t('account.tokenName')}
          </label>
          <input id="token-name" className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="form-field">
          <label className="field-label" htmlFor="token-days">
            {t('account.tokenExpires')}
          </label>
          <input id="token-days" className="input" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value.replace(/\D/g, ''))} />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> {t('account.tokenReadOnly')}
        </label>
        <button type="submit" className="btn btn-primary" disabled={name.trim() === ''}>
          {t('account.tokenCreate')}
        </button>
      </form>
      {list !== null && list.length === 0 && <p className="muted">{t('account.noTokens')}</p>}
      {list !== null && list.length > 0 && (
        <div className="table-wrap">
          <table className="data-table tokens-table">
            <thead>
              <tr>
                <th scope="col">{t('account.tokenName')}</th>
                <th scope="col">{t('account.tokenMode')}</th>
                <th scope="col">{t('account.tokenCreated')}</th>
                <th scope="col">{t('account.tokenExpiresCol')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id} data-token={k.name}>
                  <td>{k.name}</td>
                  <td>{k.read_only ? t('account.tokenReadOnly') : t('account.tokenFull')}</td>
                  <td>{formatDateTime(k.created_at)}</td>
                  <td>{status(k)}</td>
                  <td className="col-actions nowrap">
                    {!k.revoked_at && (
                      <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => revoke(k.id)} aria-label={`${t('account.tokenRevoke')} ${k.name}`}>
                        {t('account.tokenRevoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function AccountScreen({ isAdmin }: { isAdmin: boolean }) {
  useTitle(t('account.title'));
  return (
    <section className="page account-page">
      <header className="page-header">
        <div>
          <h1>{t('account.title')}</h1>
          <p className="subtitle">{t('account.subtitle')}</p>
        </div>
      </header>
      {isAdmin && <SystemBanner mode="control" />}
      <PasswordForm />
      <Sessions />
      <Tokens />
      <CalendarFeedCard />
    </section>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { twofa, type SecurityKey, type TotpEnrolment, type TwoFactorStatus } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { createCredential, webauthnAvailable } from './webauthn';
import './twofactor.css';

interface Props {
  /** The account must enrol before anything else: called once a factor is on. */
  onEnrolled?: () => void;
}

/** Account → Two-factor: the authenticator app, security keys, recovery codes. */
export function TwoFactorScreen({ onEnrolled }: Props) {
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  useTitle(t('twofa.title'));

  const load = useCallback(() => {
    setError(null);
    twofa.status().then(setStatus).catch(setError);
  }, []);
  useEffect(load, [load]);

  const showCodes = (c: string[] | undefined) => {
    if (c && c.length > 0) setCodes(c);
    load();
  };

  if (codes) {
    return (
      <section className="page">
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            onEnrolled?.();
          }}
        />
      </section>
    );
  }
  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('twofa.title')}</h1>
          <p className="subtitle">{t('twofa.subtitle')}</p>
        </div>
      </header>
      {status?.required && status.methods.length === 0 && (
        <div className="banner banner-info" role="status">
          {t('twofa.requiredNotice')}
        </div>
      )}
      {error !== null && <ErrorBanner error={error} />}
      {status && (
        <div className="twofa-grid">
          <TotpCard status={status} onCodes={showCodes} onChange={load} />
          <KeysCard status={status} onCodes={showCodes} onChange={load} />
        </div>
      )}
    </section>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const toast = useToast();
  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      toast(t('twofa.copied'));
    } catch {
      toast(t('twofa.copyFailed'));
    }
  }
  return (
    <div className="card twofa-card" aria-labelledby="codes-title">
      <h2 id="codes-title">{t('twofa.codesTitle')}</h2>
      <p>{t('twofa.codesHelp')}</p>
      <ul className="twofa-codes" aria-label={t('twofa.codesTitle')}>
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="twofa-row">
        <button type="button" className="btn" onClick={copy}>
          {t('twofa.copy')}
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone} autoFocus>
          {t('twofa.saved')}
        </button>
      </div>
    </div>
  );
}

interface CardProps {
  status: TwoFactorStatus;
  onCodes: (c: string[] | undefined) => void;
  onChange: () => void;
}

function TotpCard({ status, onCodes, onChange }: CardProps) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const begin = () => run(async () => setEnrolment(await twofa.totpBegin()));
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const c = await twofa.totpConfirm(code.trim());
      setEnrolment(null);
      setCode('');
      onCodes(c);
    });
  };
  const disable = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await twofa.totpDisable({ password });
      setPassword('');
      toast(t('twofa.totpOff'));
      onChange();
    });
  };
  const regenerate = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const c = await twofa.newRecoveryCodes(code.trim());
      setCode('');
      onCodes(c);
    });
  };

  return (
    <div className="card twofa-card">
      <h2>
        {t('twofa.app')}
        <span className={status.totp ? 'twofa-badge on' : 'twofa-badge'}>{status.totp ? t('twofa.on') : t('twofa.off')}</span>
      </h2>
      <p className="muted">{t('twofa.appHelp')}</p>
      {error && <ErrorBanner message={error} />}
      {!status.totp && !enrolment && (
        <div>
          <button type="button" className="btn btn-primary" onClick={begin} disabled={busy}>
            {t('twofa.setUpApp')}
          </button>
        </div>
      )}
      {!status.totp && enrolment && (
        <form onSubmit={confirm} className="twofa-card" noValidate>
          <p>{t('twofa.scan')}</p>
          <img className="twofa-qr" alt={t('twofa.qrAlt')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`} />
          <p>
            {t('twofa.orEnter')} <code className="twofa-secret" data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <div className="twofa-row">
            <div className="form-field">
              <label className="field-label" htmlFor="totp-confirm-code">
                {t('twofa.code')}
              </label>
              <input id="totp-confirm-code" className="input" autoComplete="one-time-code" inputMode="numeric" maxLength={6}
                value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy || code.trim().length !== 6}>
              {t('twofa.turnOn')}
            </button>
          </div>
        </form>
      )}
      {status.totp && (
        <>
          <p>{t('twofa.codesLeft', { n: status.recovery_codes_left })}</p>
          <form onSubmit={regenerate} className="twofa-row" noValidate>
            <div className="form-field">
              <label className="field-label" htmlFor="totp-regen-code">
                {t('twofa.codeForNew')}
              </label>
              <input id="totp-regen-code" className="input" autoComplete="one-time-code" inputMode="numeric" maxLength={6}
                value={code} onChange={(e) => setCode(e.target.value)} />
            </div>
            <button type="submit" className="btn" disabled={busy || code.trim().length !== 6}>
              {t('twofa.newCodes')}
            </button>
          </form>
          <form onSubmit={disable} className="twofa-row" noValidate>
            <div className="form-field">
              <label className="field-label" htmlFor="totp-off-password">
                {t('twofa.passwordToTurnOff')}
              </label>
              <input id="totp-off-password" type="password" className="input" autoComplete="current-password"
                value={password} onChange={(e) => setPassword(e.target.value)} />
            </div>
            <button type="submit" className="btn btn-danger-ghost" disabled={busy || !password}>
              {t('twofa.turnOff')}
            </button>
          </form>
        </>
      )}
    </div>
  );
}

function KeyRow({ k, onChange }: { k: SecurityKey; onChange: () => void }) {
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();

  async function save(e: FormEvent) {
    e.preventDefault();
    if (name === null) return;
    try {
      await twofa.renameKey(k.id, name.trim());
      setName(null);
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  }
  async function remove() {
    if (!window.confirm(t('twofa.removeConfirm', { name: k.name }))) return;
    try {
      await twofa.removeKey(k.id);
      toast(t('twofa.keyRemoved'));
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <li>
      {name === null ? (
        <>
          <span>
            <span className="key-name">{k.name}</span>{' '}
            <span className="muted">
              {k.last_used_at ? t('twofa.lastUsed', { when: k.last_used_at.slice(0, 10) }) : t('twofa.neverUsed')}
            </span>
          </span>
          <span className="twofa-row">
            <button type="button" className="btn btn-sm" onClick={() => setName(k.name)} aria-label={t('twofa.renameKey', { name: k.name })}>
              {t('twofa.rename')}
            </button>
            <button type="button" className="btn btn-sm btn-danger-ghost" onClick={remove} aria-label={t('twofa.removeKey', { name: k.name })}>
              {t('common.remove')}
            </button>
          </span>
        </>
      ) : (
        <form onSubmit={save} className="twofa-row" noValidate>
          <label className="sr-only" htmlFor={`key-name-${k.id}`}>
            {t('twofa.keyName')}
          </label>
          <input id={`key-name-${k.id}`} className="input" value={name} maxLength={100} autoFocus
            onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setName(null)} />
          <button type="submit" className="btn btn-sm btn-primary" disabled={!name.trim()}>
            {t('common.save')}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setName(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      {error && <ErrorBanner message={error} />}
    </li>
  );
}

function KeysCard({ status, onCodes, onChange }: CardProps) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const available = webauthnAvailable();

  async function add(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const credential = await createCredential(await twofa.registerOptions());
      const k = await twofa.registerFinish(credential, name.trim() || t('twofa.defaultKeyName'));
      setName('');
      toast(t('twofa.keyAdded', { name: k.name }));
      onCodes(k.recovery_codes);
      onChange();
    } catch (err) {
      setError(err instanceof Error && err.name === 'NotAllowedError' ? t('twofa.keyCancelled') : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card twofa-card">
      <h2>
        {t('twofa.keys')}
        <span className={status.webauthn.length ? 'twofa-badge on' : 'twofa-badge'}>{status.webauthn.length}</span>
      </h2>
      <p className="muted">{t('twofa.keysHelp')}</p>
      {error && <ErrorBanner message={error} />}
      {status.webauthn.length > 0 && (
        <ul className="twofa-keys" aria-label={t('twofa.keys')}>
          {status.webauthn.map((k) => (
            <KeyRow key={k.id} k={k} onChange={onChange} />
          ))}
        </ul>
      )}
      {available ? (
        <form onSubmit={add} className="twofa-row" noValidate>
          <div className="form-field">
            <label className="field-label" htmlFor="new-key-name">
              {t('twofa.keyName')}
            </label>
            <input id="new-key-name" className="input" maxLength={100} placeholder={t('twofa.defaultKeyName')}
              value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('twofa.touchKey') : t('twofa.addKey')}
          </button>
        </form>
      ) : (
        <p className="muted">{t('twofa.noWebauthn')}</p>
      )}
    </div>
  );
}

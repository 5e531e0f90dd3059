// The system-state banner shown to everyone while the system is read-only or
// locked (mode "banner", on every screen), and the small control with which
// an administrator sets or lifts the state (mode "control", on #/account).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { system, type SystemState, type SystemStateName } from '../api';
import { errorText } from '../common/ErrorBanner';
import { t } from '../i18n';

export function SystemBanner({ mode }: { mode: 'banner' | 'control' }) {
  const isAdmin = mode === 'control';
  const [state, setState] = useState<SystemState | null>(null);
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<SystemStateName>('normal');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    system
      .get()
      .then((s) => setState(s))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    load();
    const timer = window.setInterval(load, 30000);
    return () => window.clearInterval(timer);
  }, [load]);

  async function apply(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setState(await system.set(choice, message));
      setOpen(false);
    } catch (err) {
      setError(errorText(err));
    }
  }

  const active = state && state.state !== 'normal';
  return (
    <>
      {active && !isAdmin && (
        <div className="banner banner-error system-banner" role="status" data-state={state.state}>
          <strong>{t(state.state === 'locked' ? 'system.locked' : 'system.read_only')}</strong>
          {state.message && <span> {state.message}</span>}
        </div>
      )}
      {isAdmin && (
        <div className="system-control">
          {state && (
            <p className="muted" data-testid="system-state">
              {t('system.control')}: {t(state.state === 'normal' ? 'system.normal' : state.state === 'read_only' ? 'system.readOnly' : 'system.lockedName')}
            </p>
          )}
          <button
            type="button"
            className="btn btn-sm"
            aria-expanded={open}
            onClick={() => {
              setChoice(state?.state ?? 'normal');
              setMessage(state?.message ?? '');
              setOpen(!open);
            }}
          >
            {t('system.control')}
          </button>
          {open && (
            <form className="card system-form" onSubmit={apply}>
              <fieldset>
                <legend>{t('system.control')}</legend>
                {(['normal', 'read_only', 'locked'] as SystemStateName[]).map((s) => (
                  <label key={s} className="radio">
                    <input type="radio" name="system-state" value={s} checked={choice === s} onChange={() => setChoice(s)} />{' '}
                    {t(s === 'normal' ? 'system.normal' : s === 'read_only' ? 'system.readOnly' : 'system.lockedName')}
                  </label>
                ))}
              </fieldset>
              <label className="field-label" htmlFor="system-message">
                {t('system.message')}
              </label>
              <input id="system-message" className="input" value={message} maxLength={500} onChange={(e) => setMessage(e.target.value)} />
              {error && (
                <p className="field-error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="btn btn-primary btn-sm">
                {t('system.apply')}
              </button>
            </form>
          )}
        </div>
      )}
    </>
  );
}

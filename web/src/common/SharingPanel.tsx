import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, shares as sharesApi, type EntityName, type Share, type ShareAccess } from '../api';
import { t } from '../i18n';
import { ErrorBanner, errorText } from './ErrorBanner';
import { treeOrder, useOrg, userLabel } from './useOrg';
import { useToast } from './Toast';

interface Props {
  entity: EntityName;
  id: number;
}

/**
 * "Sharing" on a record page: who else may read or change this record besides those whose role
 * covers it. Shown to users with an update right; the server decides (its 403 message is shown).
 */
export function SharingPanel({ entity, id }: Props) {
  const org = useOrg();
  const toast = useToast();
  const [rows, setRows] = useState<Share[] | null>(null);
  const [who, setWho] = useState('');
  const [access, setAccess] = useState<ShareAccess>('read');
  const [error, setError] = useState<unknown>(null);
  const [fieldMsg, setFieldMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    sharesApi
      .list(entity, id)
      .then((s) => live && setRows(s))
      .catch((e) => {
        if (!live) return;
        setRows([]);
        setError(e);
      });
    return () => {
      live = false;
    };
  }, [entity, id]);

  function name(s: Share): string {
    if (s.user_id !== null) {
      const u = org.users.find((x) => x.id === s.user_id);
      return u ? u.name || u.email : `#${s.user_id}`;
    }
    const d = org.depts.find((x) => x.id === s.department_id);
    return d ? d.name : `#${s.department_id}`;
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!who) {
      setFieldMsg(t('sharing.pickWho'));
      return;
    }
    const [kind, raw] = who.split(':');
    const body = kind === 'u' ? { user_id: Number(raw), access } : { department_id: Number(raw), access };
    setBusy(true);
    setError(null);
    setFieldMsg(null);
    try {
      setRows(await sharesApi.add(entity, id, body));
      setWho('');
      toast(t('sharing.added'));
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) setFieldMsg(err.errors.map((x) => x.message).join('; '));
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(s: Share) {
    setBusy(true);
    setError(null);
    try {
      await sharesApi.remove(entity, id, s.id);
      setRows((xs) => (xs ?? []).filter((x) => x.id !== s.id));
      toast(t('sharing.removed'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const whoId = `share-who-${entity}-${id}`;
  const accessId = `share-access-${entity}-${id}`;
  return (
    <section className="card sharing" aria-labelledby={`sharing-${id}`}>
      <h2 className="card-title" id={`sharing-${id}`}>
        {t('sharing.title')}
      </h2>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      {rows === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t('sharing.none')}</p>
      ) : (
        <ul className="mini-list share-list">
          {rows.map((s) => (
            <li key={s.id} className="share-row" data-share={s.id}>
              <span className="share-who">
                <span className="share-kind">{s.user_id !== null ? t('sharing.user') : t('sharing.department')}</span>{' '}
                <strong>{name(s)}</strong>
              </span>
              <span className="share-access">{s.access === 'write' ? t('sharing.write') : t('sharing.read')}</span>
              <button
                type="button"
                className="icon-btn"
                disabled={busy}
                aria-label={t('sharing.removeFor', { name: name(s) })}
                onClick={() => remove(s)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="share-form" onSubmit={add} noValidate aria-label={t('sharing.add')}>
        <label className="field-label" htmlFor={whoId}>
          {t('sharing.with')}
        </label>
        <select
          id={whoId}
          className="input"
          value={who}
          aria-invalid={fieldMsg ? true : undefined}
          aria-describedby={fieldMsg ? `${whoId}-error` : undefined}
          onChange={(e) => setWho(e.target.value)}
        >
          <option value="">{t('form.choose')}</option>
          <optgroup label={t('sharing.users')}>
            {org.users
              .filter((u) => u.active !== false)
              .map((u) => (
                <option key={u.id} value={`u:${u.id}`}>
                  {userLabel(u)}
                </option>
              ))}
          </optgroup>
          <optgroup label={t('sharing.departments')}>
            {treeOrder(org.depts).map(({ dept, depth }) => (
              <option key={dept.id} value={`d:${dept.id}`}>
                {'\u00a0\u00a0'.repeat(depth)}
                {dept.name}
              </option>
            ))}
          </optgroup>
        </select>
        {fieldMsg && (
          <div className="field-error" id={`${whoId}-error`}>
            {fieldMsg}
          </div>
        )}
        <label className="field-label" htmlFor={accessId}>
          {t('sharing.access')}
        </label>
        <div className="list-row">
          <select id={accessId} className="input" value={access} onChange={(e) => setAccess(e.target.value as ShareAccess)}>
            <option value="read">{t('sharing.read')}</option>
            <option value="write">{t('sharing.write')}</option>
          </select>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('sharing.share')}
          </button>
        </div>
      </form>
    </section>
  );
}

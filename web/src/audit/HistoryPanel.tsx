import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, audit, type AuditEntry, type CustomFieldDef, type EntityName } from '../api';
import { errorText } from '../common/ErrorBanner';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { actorName, changesOf, clip, fieldLabeler, historyText, valueText, type Directory } from './describe';
import { useDirectory } from './useDirectory';

interface Props {
  entity: EntityName;
  id: number;
  /** The entity's custom field definitions (labels and value formats). */
  defs: CustomFieldDef[];
}

/**
 * A record's History tab: who did what and when, newest first, with a field / from / to table for
 * each change. Pages on demand with the server's cursor.
 */
export function HistoryPanel({ entity, id, defs }: Props) {
  const dir = useDirectory();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ctl = useRef<AbortController | null>(null);

  const load = useCallback(
    async (from: string | null) => {
      ctl.current?.abort();
      const c = new AbortController();
      ctl.current = c;
      setBusy(true);
      try {
        const page = await audit.history(entity, id, from, c.signal);
        setEntries((xs) => (from && xs ? [...xs, ...page.data] : page.data));
        setCursor(page.next_cursor);
        setError(null);
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
      } finally {
        if (ctl.current === c) setBusy(false);
      }
    },
    [entity, id],
  );

  useEffect(() => {
    setEntries(null);
    void load(null);
    return () => ctl.current?.abort();
  }, [load]);

  if (error && !entries) {
    const forbidden = error instanceof ApiError && (error.status === 404 || error.status === 403);
    return (
      <div className="banner banner-error" role="alert">
        <div className="banner-body">
          <strong className="banner-text">{forbidden ? t('history.forbidden') : errorText(error)}</strong>
        </div>
        {!forbidden && (
          <div className="banner-actions">
            <button type="button" className="btn btn-sm" onClick={() => void load(null)}>
              {t('common.retry')}
            </button>
          </div>
        )}
      </div>
    );
  }
  if (!entries) return <p className="muted">{t('common.loading')}</p>;
  if (entries.length === 0) return <p className="muted">{t('history.empty')}</p>;
  return (
    <div className="history">
      <ol className="history-list">
        {entries.map((e) => (
          <HistoryEntry key={e.id} entry={e} dir={dir} defs={defs} />
        ))}
      </ol>
      {error !== null && (
        <p className="field-error" role="alert">
          {errorText(error)}
        </p>
      )}
      {cursor && (
        <div className="history-more">
          <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void load(cursor)}>
            {busy ? t('common.loading') : t('common.loadMore')}
          </button>
        </div>
      )}
    </div>
  );
}

function HistoryEntry({ entry: e, dir, defs }: { entry: AuditEntry; dir: Directory; defs: CustomFieldDef[] }) {
  const label = fieldLabeler(e.entity, defs);
  // A transfer's owner change is already in its wording; other changes get the table.
  const changes = changesOf(e).filter(([k]) => !(e.action === 'record.transfer' && k === 'owner_id'));
  const created =
    e.action === 'record.create'
      ? Object.entries(e.detail ?? {})
          .flatMap(([k, v]): [string, unknown][] =>
            k === 'custom' && v && typeof v === 'object' && !Array.isArray(v)
              ? Object.entries(v as Record<string, unknown>).map(([ck, cv]): [string, unknown] => [`custom.${ck}`, cv])
              : [[k, v]],
          )
          .filter(([k, v]) => !k.endsWith('_name') && valueText(dir, defs, e.entity, k, v) !== '')
      : [];
  return (
    <li className="history-entry" data-action={e.action} data-entry={e.id}>
      <div className="history-head">
        <strong className="history-who">{actorName(dir, e)}</strong>{' '}
        <span className="history-what">{historyText(dir, e)}</span>
        <time className="history-when muted" dateTime={e.at} title={e.at}>
          {formatDateTime(e.at)}
        </time>
      </div>
      {changes.length > 0 && (
        <table className="changes">
          <thead>
            <tr>
              <th scope="col">{t('history.field')}</th>
              <th scope="col">{t('history.from')}</th>
              <th scope="col">{t('history.to')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map(([k, a, b]) => (
              <tr key={k} data-field={k}>
                <th scope="row">{label(k)}</th>
                <ValueCell text={valueText(dir, defs, e.entity, k, a)} className="from" />
                <ValueCell text={valueText(dir, defs, e.entity, k, b)} className="to" arrow />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {created.length > 0 && (
        <details className="history-created">
          <summary>{t('history.createdValues')}</summary>
          <table className="changes">
            <tbody>
              {created.map(([k, v]) => (
                <tr key={k} data-field={k}>
                  <th scope="row">{label(k)}</th>
                  <ValueCell text={valueText(dir, defs, e.entity, k, v)} />
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </li>
  );
}

function ValueCell({ text, className, arrow }: { text: string; className?: string; arrow?: boolean }) {
  if (!text) return <td className={`${className ?? ''} muted`}>{t('record.none')}</td>;
  const c = clip(text);
  return (
    <td className={className} title={c.title}>
      {arrow && (
        <span className="arrow" aria-hidden="true">
          →{' '}
        </span>
      )}
      {c.text}
    </td>
  );
}

import { useState } from 'react';
import type { LostReason } from '../../api';
import { t } from '../../i18n';

interface Props {
  reason: LostReason;
  busy: boolean;
  /** Saves a new name; resolves true when it was saved. */
  onRename: (name: string) => Promise<boolean>;
  onActive: (active: boolean) => void;
  onDelete: () => void;
}

/** One lost reason; Rename turns its name into an input (Enter saves, Escape leaves it). */
export function LostReasonRow({ reason: r, busy, onRename, onActive, onDelete }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const save = async () => {
    if (editing === null) return;
    if (editing.trim() === r.name || (await onRename(editing.trim()))) setEditing(null);
  };
  return (
    <tr data-reason={r.name} className={r.active ? undefined : 'muted'}>
      <td>
        {editing === null ? (
          <strong>{r.name}</strong>
        ) : (
          <input
            className="input"
            autoFocus
            aria-label={t('lostReasons.nameOf', { name: r.name })}
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void save();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                setEditing(null);
              }
            }}
          />
        )}
      </td>
      <td>{r.active ? t('lostReasons.active') : t('lostReasons.retired')}</td>
      <td className="col-actions nowrap">
        {editing === null ? (
          <button type="button" className="btn btn-sm" aria-label={`${t('lostReasons.rename')} ${r.name}`} onClick={() => setEditing(r.name)}>
            {t('lostReasons.rename')}
          </button>
        ) : (
          <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void save()}>
            {t('common.save')}
          </button>
        )}{' '}
        <button type="button" className="btn btn-sm" disabled={busy} aria-label={`${t(r.active ? 'lostReasons.retire' : 'lostReasons.reactivate')} ${r.name}`} onClick={() => onActive(!r.active)}>
          {t(r.active ? 'lostReasons.retire' : 'lostReasons.reactivate')}
        </button>{' '}
        <button type="button" className="btn btn-sm btn-danger-ghost" disabled={busy} aria-label={`${t('common.delete')} ${r.name}`} onClick={onDelete}>
          {t('common.delete')}
        </button>
      </td>
    </tr>
  );
}

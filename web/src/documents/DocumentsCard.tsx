import './documents.css';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { ApiError, documents, type CrmDocument, type DocumentEntity } from '../api';
import { useDirectory } from '../audit/useDirectory';
import { userName } from '../audit/describe';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { can } from '../rights';
import { formatSize, previewKind, typeLabel } from './docText';

interface Props {
  entity: DocumentEntity;
  id: number;
}

/** An upload in the card: its progress while it runs, the server's reason when it was refused. */
interface Pending {
  key: number;
  name: string;
  progress: number;
  error: string | null;
  abort: () => void;
}

/** Why the server refused an upload, in plain words: too large, or its field message (a disguised type). */
function uploadError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 413) return t('documents.tooLarge');
    const own = e.errors.filter((x) => x.field === 'file' || x.field === 'name').map((x) => x.message);
    if (own.length) return own.join('; ');
  }
  return errorText(e);
}

let nextKey = 1;

/**
 * The files of a company, contact, deal or activity: list, upload (picker or drop), preview, download,
 * delete (undone from the toast) and the record's trash, where a deleted one is restored.
 */
export function DocumentsCard({ entity, id }: Props) {
  const toast = useToast();
  const dir = useDirectory();
  const [docs, setDocs] = useState<CrmDocument[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [over, setOver] = useState(false);
  const [confirm, setConfirm] = useState<CrmDocument | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<CrmDocument | null>(null);
  const [trash, setTrash] = useState<CrmDocument[] | null>(null); // null: the trash is closed
  const input = useRef<HTMLInputElement>(null);
  const mayChange = can(entity, 'update');

  const load = useCallback(
    (signal?: AbortSignal) =>
      documents
        .list(entity, id, signal)
        .then((d) => {
          setDocs(d);
          setError(null);
        })
        .catch((e) => {
          if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
        }),
    [entity, id],
  );
  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  function upload(files: FileList | File[] | null) {
    if (!files) return;
    for (const file of Array.from(files)) {
      const key = nextKey++;
      const set = (p: Partial<Pending>) => setPending((l) => l.map((x) => (x.key === key ? { ...x, ...p } : x)));
      const up = documents.upload(entity, id, file, (f) => set({ progress: f }));
      setPending((l) => [...l, { key, name: file.name, progress: 0, error: null, abort: up.abort }]);
      up.done
        .then((d) => {
          setPending((l) => l.filter((x) => x.key !== key));
          setDocs((l) => [d, ...(l ?? []).filter((x) => x.id !== d.id)]);
          toast(t('documents.uploaded', { name: d.name }));
        })
        .catch((e) => {
          if (e instanceof DOMException && e.name === 'AbortError') setPending((l) => l.filter((x) => x.key !== key));
          else set({ error: uploadError(e) });
        });
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    if (mayChange) upload(e.dataTransfer.files);
  }

  async function remove(d: CrmDocument) {
    setBusy(true);
    try {
      await documents.remove(d.id);
      setDocs((l) => (l ?? []).filter((x) => x.id !== d.id));
      if (preview?.id === d.id) setPreview(null);
      setTrash((l) => (l ? [d, ...l] : l));
      toast(t('documents.deleted', { name: d.name }), { label: t('common.undo'), run: () => void restore(d) });
      setConfirm(null);
    } catch (e) {
      setConfirm(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function restore(d: CrmDocument) {
    try {
      const back = await documents.restore(d.id);
      setDocs((l) => [back, ...(l ?? []).filter((x) => x.id !== back.id)]);
      setTrash((l) => (l ? l.filter((x) => x.id !== back.id) : l));
      toast(t('documents.restored', { name: back.name }));
    } catch (e) {
      setError(e);
    }
  }

  async function toggleTrash() {
    if (trash) {
      setTrash(null);
      return;
    }
    try {
      setTrash(await documents.listDeleted(entity, id));
    } catch (e) {
      setError(e);
    }
  }

  const dropProps = mayChange
    ? {
        onDragOver: (e: DragEvent) => {
          if (!Array.from(e.dataTransfer.types).includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        },
        onDragLeave: (e: DragEvent) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
        },
        onDrop,
      }
    : {};

  return (
    <section
      className={over ? 'card documents-card drop-over' : 'card documents-card'}
      aria-labelledby={`documents-title-${entity}`}
      {...dropProps}
    >
      <div className="card-head">
        <h2 className="card-title" id={`documents-title-${entity}`}>
          {t('documents.title')}
          {docs && docs.length > 0 && <span className="muted"> · {docs.length}</span>}
        </h2>
        {mayChange && (
          <div className="documents-actions">
            <button type="button" className="btn btn-sm btn-ghost" aria-expanded={trash !== null} onClick={() => void toggleTrash()}>
              {trash ? t('documents.hideTrash') : t('documents.trash')}
            </button>
            <label className="btn btn-sm documents-pick">
              <input
                ref={input}
                type="file"
                multiple
                className="sr-only"
                aria-describedby={`documents-hint-${entity}`}
                onChange={(e) => {
                  upload(e.target.files);
                  e.target.value = '';
                }}
              />
              + {t('documents.upload')}
            </label>
          </div>
        )}
      </div>
      {mayChange && (
        <p className="muted small documents-hint" id={`documents-hint-${entity}`}>
          {over ? t('documents.dropNow') : t('documents.hint')}
        </p>
      )}
      {error !== null && (
        <ErrorBanner error={error} onDismiss={() => setError(null)}>
          <button type="button" className="btn btn-sm" onClick={() => void load()}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      )}
      {pending.length > 0 && (
        <ul className="uploads" aria-label={t('documents.uploads')}>
          {pending.map((p) => (
            <li key={p.key} className={p.error ? 'upload upload-failed' : 'upload'}>
              {!p.error && <span className="upload-name">{p.name}</span>}
              {p.error ? (
                <>
                  <span className="upload-error" role="alert">
                    {t('documents.refused', { name: p.name, reason: p.error })}
                  </span>
                  <button type="button" className="btn btn-sm btn-ghost" onClick={() => setPending((l) => l.filter((x) => x.key !== p.key))}>
                    {t('common.dismiss')}
                  </button>
                </>
              ) : (
                <>
                  <progress max={1} value={p.progress} aria-label={t('documents.uploading', { name: p.name })} />
                  <span className="muted small">{Math.round(p.progress * 100)}%</span>
                  <button type="button" className="btn btn-sm btn-ghost" onClick={p.abort}>
                    {t('common.cancel')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {docs === null && error === null && <p className="muted">{t('common.loading')}</p>}
      {docs !== null && docs.length === 0 && pending.length === 0 && <p className="muted">{t('documents.empty')}</p>}
      {docs !== null && docs.length > 0 && (
        <table className="data-table documents-table">
          <thead>
            <tr>
              <th scope="col">{t('documents.name')}</th>
              <th scope="col">{t('documents.type')}</th>
              <th scope="col">{t('documents.size')}</th>
              <th scope="col">{t('documents.by')}</th>
              <th scope="col">{t('documents.when')}</th>
              <th scope="col">
                <span className="sr-only">{t('documents.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => {
              const kind = previewKind(d.mime);
              return (
                <tr key={d.id} data-id={d.id}>
                  <td className="document-name">
                    {kind === 'image' && (
                      <button type="button" className="thumb" aria-label={t('documents.preview', { name: d.name })} onClick={() => setPreview(preview?.id === d.id ? null : d)}>
                        <img src={documents.contentUrl(d.id, true)} alt="" loading="lazy" />
                      </button>
                    )}
                    <a href={documents.contentUrl(d.id)} download={d.name} title={t('documents.download', { name: d.name })}>
                      {d.name}
                    </a>
                  </td>
                  <td>{typeLabel(d.mime)}</td>
                  <td className="num">{formatSize(d.size)}</td>
                  <td>{d.created_by === null ? t('history.system') : userName(dir, d.created_by)}</td>
                  <td>
                    <time dateTime={d.created_at}>{formatDateTime(d.created_at)}</time>
                  </td>
                  <td className="row-actions">
                    {kind === 'pdf' && (
                      <a className="btn btn-sm btn-ghost" href={documents.contentUrl(d.id, true)} target="_blank" rel="noopener noreferrer">
                        {t('documents.open')}
                        <span className="sr-only"> {d.name}</span>
                      </a>
                    )}
                    {mayChange && (
                      <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setConfirm(d)}>
                        {t('common.delete')}
                        <span className="sr-only"> {d.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {preview && (
        <figure className="document-preview">
          <img src={documents.contentUrl(preview.id, true)} alt={preview.name} />
          <figcaption>
            {preview.name}{' '}
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => setPreview(null)}>
              {t('documents.closePreview')}
            </button>
          </figcaption>
        </figure>
      )}
      {trash && (
        <div className="documents-trash">
          <h3>{t('documents.trashTitle')}</h3>
          {trash.length === 0 ? (
            <p className="muted">{t('documents.trashEmpty')}</p>
          ) : (
            <ul className="documents-trash-list">
              {trash.map((d) => (
                <li key={d.id} data-id={d.id}>
                  <span className="document-name">{d.name}</span> <span className="muted small">{formatSize(d.size)}</span>
                  <button type="button" className="btn btn-sm" onClick={() => void restore(d)}>
                    {t('common.restore')}
                    <span className="sr-only"> {d.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('documents.confirmDeleteTitle')}
          message={t('documents.confirmDelete', { name: confirm.name })}
          confirmLabel={t('common.moveToTrash')}
          danger
          busy={busy}
          onConfirm={() => void remove(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ApiError, IMPORT_ENTITIES, imports, type ImportEntity, type Upload, type CrmImport } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { t, type Key } from '../i18n';
import { can } from '../rights';
import { navigate } from '../router';
import { entityLabel } from './importText';

export const ENCODINGS = ['UTF-8', 'WINDOWS-1251', 'SHIFT_JIS', 'UTF-16LE', 'UTF-16BE', 'WINDOWS-1252', 'ISO-8859-1', 'KOI8-R'];
export const DELIMITERS: [string, Key][] = [
  [',', 'imports.delim.comma'],
  [';', 'imports.delim.semicolon'],
  ['\t', 'imports.delim.tab'],
  ['|', 'imports.delim.pipe'],
];

/** #/imports/new: the list to import into, the file, and (for CSV) its encoding and delimiter if not detected. */
export function ImportUpload({ initialEntity }: { initialEntity: string | null }) {
  const allowed = IMPORT_ENTITIES.filter((e) => can(e, 'import'));
  const first = allowed.find((e) => e === initialEntity) ?? allowed[0] ?? null;
  const [entity, setEntity] = useState<ImportEntity | null>(first);
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState('');
  const [delimiter, setDelimiter] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const upload = useRef<Upload<CrmImport> | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useTitle(t('imports.new'));

  function pick(f: File | null | undefined) {
    if (!f) return;
    setFile(f);
    setError(null);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file || !entity) return;
    setError(null);
    setProgress(0);
    const up = imports.upload(entity, file, { encoding, delimiter }, setProgress);
    upload.current = up;
    try {
      const imp = await up.done;
      navigate(`/imports/${imp.id}`);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(err);
      setProgress(null);
    } finally {
      upload.current = null;
    }
  }

  if (allowed.length === 0 || entity === null) {
    return (
      <section className="page">
        <ErrorBanner message={t('imports.noRight')} />
      </section>
    );
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('imports.new')}</h1>
          <p className="subtitle">{t('imports.uploadHint')}</p>
        </div>
        <a className="btn" href="#/imports">
          {t('imports.history')}
        </a>
      </header>
      {error !== null && <ErrorBanner error={error} extra={error instanceof ApiError ? error.errors.map((x) => x.message) : undefined} onDismiss={() => setError(null)} />}
      <form className="card form-card import-upload" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="import-entity">{t('imports.into')}</label>
          <select id="import-entity" className="input" value={entity} onChange={(e) => setEntity(e.target.value as ImportEntity)}>
            {allowed.map((e) => (
              <option key={e} value={e}>
                {entityLabel(e)}
              </option>
            ))}
          </select>
        </div>
        <div
          className={dragging ? 'drop-zone dragging' : 'drop-zone'}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <label htmlFor="import-file">{file ? t('imports.chosen', { name: file.name }) : t('imports.dropHere')}</label>
          <input
            id="import-file"
            ref={input}
            type="file"
            accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => pick(e.target.files?.[0])}
          />
        </div>
        <details className="import-more">
          <summary>{t('imports.csvOptions')}</summary>
          <div className="field-row">
            <div className="field">
              <label htmlFor="import-encoding">{t('imports.encoding')}</label>
              <select id="import-encoding" className="input" value={encoding} onChange={(e) => setEncoding(e.target.value)}>
                <option value="">{t('imports.detect')}</option>
                {ENCODINGS.map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="import-delimiter">{t('imports.delimiter')}</label>
              <select id="import-delimiter" className="input" value={delimiter} onChange={(e) => setDelimiter(e.target.value)}>
                <option value="">{t('imports.detect')}</option>
                {DELIMITERS.map(([d, k]) => (
                  <option key={k} value={d}>
                    {t(k)}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </details>
        {progress !== null && (
          <div className="upload">
            <progress max={1} value={progress} aria-label={t('imports.uploading')} />
            <span className="muted small">{Math.round(progress * 100)}%</span>
            <button type="button" className="btn btn-sm" onClick={() => upload.current?.abort()}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!file || progress !== null}>
            {t('imports.uploadButton')}
          </button>
        </div>
      </form>
    </section>
  );
}

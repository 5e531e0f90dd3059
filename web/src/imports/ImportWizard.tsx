import { useState } from 'react';
import { imports, type CrmImport } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { formatNumber } from '../format';
import { t } from '../i18n';
import { ErrorsTable } from './ErrorsTable';
import { ImportMapping } from './ImportMapping';
import { entityLabel, statusLabel } from './importText';
import { useImport } from './useImport';

const STEPS = ['imports.step.map', 'imports.step.check', 'imports.step.import'] as const;

function stepOf(imp: CrmImport): number {
  if (imp.status === 'uploaded') return 0;
  if (imp.status === 'checking' || imp.status === 'checked') return 1;
  return 2;
}

/** #/imports/12: one import through its steps: map the columns, check (dry run), import, undo. */
export function ImportWizard({ id }: { id: number }) {
  const { imp, error, reload, set } = useImport(id);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirmUndo, setConfirmUndo] = useState(false);
  const toast = useToast();
  useTitle(imp ? t('imports.titleOne', { name: imp.file_name }) : t('imports.title'));

  if (imp === null) {
    return <section className="page">{error !== null ? <ErrorBanner error={error} /> : <p className="muted">{t('common.loading')}</p>}</section>;
  }

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setActionError(null);
    try {
      await fn();
      await reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  const run = (mode: 'all' | 'skip') =>
    act(async () => {
      await imports.update(id, { options: { ...(imp.options ?? {}), mode } });
      await imports.run(id);
    });

  const undo = () =>
    act(async () => {
      setConfirmUndo(false);
      set(await imports.undo(id));
      toast(t('imports.undoStarted'));
    });

  const step = stepOf(imp);
  const dry = imp.dry_run;
  const total = imp.rows_total || dry?.rows || 0;
  return (
    <section className="page import-page">
      <header className="page-header">
        <div>
          <h1>{t('imports.titleOne', { name: imp.file_name })}</h1>
          <p className="subtitle">
            {t('imports.about', { entity: entityLabel(imp.entity), format: imp.format.toUpperCase() })}
            {imp.format === 'csv' && imp.encoding ? ` · ${imp.encoding}` : ''}
            {' · '}
            <span className={`state-pill import-${imp.status}`}>{statusLabel(imp.status)}</span>
          </p>
        </div>
        <a className="btn" href="#/imports">
          {t('imports.history')}
        </a>
      </header>
      <ol className="import-steps" aria-label={t('imports.steps')}>
        {STEPS.map((k, i) => (
          <li key={k} className={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
            <span className="import-step-n">{i + 1}</span> {t(k)}
          </li>
        ))}
      </ol>
      {error !== null && <ErrorBanner error={error} />}
      {actionError !== null && <ErrorBanner error={actionError} onDismiss={() => setActionError(null)} />}

      {(imp.status === 'uploaded' || imp.status === 'checked') && (
        <ImportMapping imp={imp} onSaved={set} onCheck={() => act(() => imports.dryRun(id))} busy={busy} />
      )}

      {(imp.status === 'checking' || imp.status === 'running' || imp.status === 'undoing') && (
        <div className="card import-progress" role="status" aria-live="polite">
          <h2 className="card-title">{t(imp.status === 'checking' ? 'imports.checking' : imp.status === 'undoing' ? 'imports.undoing' : 'imports.running')}</h2>
          <progress max={total || 1} value={total ? imp.rows_done : undefined} aria-label={t('imports.progress')} />
          <p className="muted">
            {total
              ? t('imports.rowsOf', { done: formatNumber(imp.rows_done), total: formatNumber(total) })
              : t('imports.rowsDone', { done: formatNumber(imp.rows_done) })}
          </p>
        </div>
      )}

      {imp.status === 'checked' && dry && (
        <div className="card import-report" data-testid="dry-run">
          <h2 className="card-title">{t('imports.dryRun')}</h2>
          <ul className="import-counts">
            <li>
              <strong>{formatNumber(dry.rows)}</strong> {t('imports.rows')}
            </li>
            <li className="ok">
              <strong>{formatNumber(dry.create)}</strong> {t('imports.willCreate')}
            </li>
            <li>
              <strong>{formatNumber(dry.update)}</strong> {t('imports.willUpdate')}
            </li>
            <li>
              <strong>{formatNumber(dry.skip)}</strong> {t('imports.willSkip')}
            </li>
            <li className={dry.errors ? 'bad' : ''}>
              <strong>{formatNumber(dry.errors)}</strong> {t('imports.badCells')}
            </li>
          </ul>
          <ErrorsTable imp={imp} />
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={busy || dry.errors > 0} onClick={() => void run('all')} title={dry.errors > 0 ? t('imports.allNeedsClean') : undefined}>
              {t('imports.runAll')}
            </button>
            {dry.errors > 0 && (
              <button type="button" className="btn" disabled={busy} onClick={() => void run('skip')}>
                {t('imports.runSkip')}
              </button>
            )}
          </div>
          {dry.errors > 0 && <p className="muted small">{t('imports.allNeedsClean')}</p>}
        </div>
      )}

      {(imp.status === 'done' || imp.status === 'failed' || imp.status === 'undone') && (
        <div className="card import-report" data-testid="result">
          <h2 className="card-title">{t('imports.result')}</h2>
          {imp.status === 'failed' && imp.error && <ErrorBanner message={imp.error} />}
          {imp.status === 'undone' && imp.undo && (
            <p className="banner" role="status">
              {t('imports.undone', { trashed: formatNumber(imp.undo.trashed), restored: formatNumber(imp.undo.restored), conflicts: formatNumber(imp.undo.conflicts?.length ?? 0) })}
            </p>
          )}
          <ul className="import-counts">
            <li className="ok">
              <strong>{formatNumber(imp.created)}</strong> {t('imports.createdN')}
            </li>
            <li>
              <strong>{formatNumber(imp.updated)}</strong> {t('imports.updatedN')}
            </li>
            <li>
              <strong>{formatNumber(imp.skipped)}</strong> {t('imports.skippedN')}
            </li>
            <li className={imp.failed ? 'bad' : ''}>
              <strong>{formatNumber(imp.failed)}</strong> {t('imports.failedN')}
            </li>
          </ul>
          <ErrorsTable imp={imp} />
          <div className="form-actions">
            <a className="btn" href={`#/${imp.entity}`}>
              {t('imports.openList', { entity: entityLabel(imp.entity) })}
            </a>
            {imp.status === 'done' && (
              <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirmUndo(true)}>
                {t('imports.undo')}
              </button>
            )}
          </div>
        </div>
      )}
      {confirmUndo && (
        <ConfirmDialog
          title={t('imports.undoTitle')}
          message={t('imports.undoMessage', { created: formatNumber(imp.created), updated: formatNumber(imp.updated) })}
          confirmLabel={t('imports.undo')}
          danger
          busy={busy}
          onConfirm={() => void undo()}
          onCancel={() => setConfirmUndo(false)}
        />
      )}
    </section>
  );
}

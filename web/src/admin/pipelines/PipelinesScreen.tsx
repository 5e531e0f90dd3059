import { useCallback, useEffect, useState } from 'react';
import { salesAdmin, type Pipeline } from '../../api';
import { ConfirmDialog } from '../../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../../common/ErrorBanner';
import { useTitle } from '../../common/hooks';
import { useToast } from '../../common/Toast';
import { t } from '../../i18n';
import { LostReasonsCard } from './LostReasonsCard';
import { PipelineCard } from './PipelineCard';
import { PipelineEditor } from './PipelineEditor';
import './pipelines.css';

/** #/admin/pipelines: the pipelines with their stages, and the lost reasons. */
export function PipelinesScreen() {
  const toast = useToast();
  const [list, setList] = useState<Pipeline[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ item: Pipeline | null } | null>(null);
  const [deleting, setDeleting] = useState<Pipeline | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('pipelines.title'));

  const reload = useCallback(
    () =>
      salesAdmin
        .pipelines()
        .then((ps) => setList([...ps].sort((a, b) => a.position - b.position || a.id - b.id)))
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  async function change(run: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      await run();
      toast(done);
      await reload();
    } catch (e) {
      // A pipeline holding deals cannot be deleted: the server's 409 says so and how many.
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page pipelines-screen">
      <header className="page-header">
        <div>
          <h1>{t('pipelines.title')}</h1>
          <p className="subtitle">{t('pipelines.subtitle')}</p>
        </div>
        <div className="page-actions">
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ item: null })}>
            + {t('pipelines.add')}
          </button>
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {editing && (
        <PipelineEditor
          key={editing.item?.id ?? 'new'}
          pipeline={editing.item}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              toast(t('pipelines.saved'));
              void reload();
            }
          }}
        />
      )}
      {list === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : list.length === 0 ? (
        <div className="card placeholder">{t('pipelines.empty')}</div>
      ) : (
        list.map((p) => (
          <PipelineCard
            key={p.id}
            pipeline={p}
            busy={busy}
            onEdit={() => setEditing({ item: p })}
            onArchive={(archived) =>
              void change(
                () => salesAdmin.updatePipeline(p.id, { archived }),
                t(archived ? 'pipelines.archivedDone' : 'pipelines.unarchivedDone', { name: p.name }),
              )
            }
            onDelete={() => setDeleting(p)}
          />
        ))
      )}
      <LostReasonsCard />
      {deleting && (
        <ConfirmDialog
          title={t('pipelines.confirmDeleteTitle')}
          message={t('pipelines.confirmDelete', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          danger
          busy={busy}
          onConfirm={() => {
            const p = deleting;
            setDeleting(null);
            void change(() => salesAdmin.removePipeline(p.id), t('pipelines.deleted'));
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

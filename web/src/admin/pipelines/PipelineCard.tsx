import type { Pipeline } from '../../api';
import { t } from '../../i18n';

interface Props {
  pipeline: Pipeline;
  busy: boolean;
  onEdit: () => void;
  onArchive: (archived: boolean) => void;
  onDelete: () => void;
}

/** One pipeline: its stages in order with probability, time limit and kind, and its actions. */
export function PipelineCard({ pipeline: p, busy, onEdit, onArchive, onDelete }: Props) {
  const stages = [...p.stages].sort((a, b) => a.position - b.position || a.id - b.id);
  return (
    <section className={p.archived ? 'card pipeline-card archived' : 'card pipeline-card'} aria-labelledby={`pipeline-${p.id}-title`} data-pipeline={p.name}>
      <div className="card-toolbar">
        <h2 className="card-title" id={`pipeline-${p.id}-title`}>
          {p.name}
          {p.archived && <span className="badge">{t('pipelines.archived')}</span>}
        </h2>
        <div className="page-actions">
          <button type="button" className="btn btn-sm" aria-label={`${t('common.edit')} ${p.name}`} onClick={onEdit}>
            {t('common.edit')}
          </button>
          <button type="button" className="btn btn-sm" disabled={busy} aria-label={`${t(p.archived ? 'pipelines.unarchive' : 'pipelines.archive')} ${p.name}`} onClick={() => onArchive(!p.archived)}>
            {t(p.archived ? 'pipelines.unarchive' : 'pipelines.archive')}
          </button>
          <button type="button" className="btn btn-sm btn-danger-ghost" disabled={busy} aria-label={`${t('common.delete')} ${p.name}`} onClick={onDelete}>
            {t('common.delete')}
          </button>
        </div>
      </div>
      <ol className="pipeline-stages">
        {stages.map((s) => (
          <li key={s.id} className={`pipeline-stage kind-${s.kind}`} data-stage={s.name}>
            <strong>{s.name}</strong>
            <span className="muted small">
              {' · '}
              {t(`pipelines.kind.${s.kind}`)}
              {s.probability !== null && ` · ${s.probability} %`}
              {' · '}
              {s.time_limit_days === null ? t('pipelines.noLimit') : t('pipelines.limitDays', { n: s.time_limit_days })}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

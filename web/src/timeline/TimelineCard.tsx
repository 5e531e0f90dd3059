import '../activities/activities.css';
import { useState } from 'react';
import type { TimelineEntity } from '../api';
import { useDirectory } from '../audit/useDirectory';
import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { can } from '../rights';
import { QuickActions } from './QuickActions';
import { TimelineFilters } from './TimelineFilters';
import { TimelineItem } from './TimelineItem';
import { useTimeline, type TimelineFilter } from './useTimeline';

interface Props {
  entity: TimelineEntity;
  id: number;
  name: string;
}

/** A company's, contact's or deal's timeline: everything that happened, newest first. */
export function TimelineCard({ entity, id, name }: Props) {
  const dir = useDirectory();
  const [filter, setFilter] = useState<TimelineFilter>({ type: '', kind: '', user_id: '' });
  const { entries, cursor, error, busy, more, reload } = useTimeline(entity, id, filter);
  if (!can('activities', 'read') && !can(entity, 'audit')) return null;
  return (
    <section className="card timeline-card" aria-labelledby="timeline-title">
      <div className="card-head">
        <h2 className="card-title" id="timeline-title">
          {t('timeline.title')}
        </h2>
        <QuickActions entity={entity} id={id} name={name} />
      </div>
      <TimelineFilters id="timeline" value={filter} withStages={entity === 'deals'} onChange={setFilter} />
      {error !== null && (
        <ErrorBanner error={error}>
          <button type="button" className="btn btn-sm" onClick={reload}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      )}
      {entries === null && error === null && <p className="muted">{t('common.loading')}</p>}
      {entries !== null && entries.length === 0 && <p className="muted">{t('timeline.empty')}</p>}
      {entries !== null && entries.length > 0 && (
        <ol className="timeline" aria-busy={busy || undefined}>
          {entries.map((e) => (
            <TimelineItem key={`${e.type}-${e.id}`} entity={entity} recordId={id} entry={e} fromStage={e.type === 'stage' ? e.from_stage_name : undefined} dir={dir} />
          ))}
        </ol>
      )}
      {cursor && (
        <div className="history-more">
          <button type="button" className="btn btn-sm" disabled={busy} onClick={more}>
            {busy ? t('common.loading') : t('common.loadMore')}
          </button>
        </div>
      )}
    </section>
  );
}

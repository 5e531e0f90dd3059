import '../activities/activities.css';
import { useState } from 'react';
import type { TimelineEntity, TimelineEntry } from '../api';
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

/** The stage a deal left at each move: the next older stage entry among those loaded. */
function previousStages(entries: TimelineEntry[]): Map<number, string | null> {
  const out = new Map<number, string | null>();
  let older: string | null = null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.type !== 'stage') continue;
    out.set(e.id, older);
    older = e.stage_name;
  }
  return out;
}

/** A company's, contact's or deal's timeline: everything that happened, newest first. */
export function TimelineCard({ entity, id, name }: Props) {
  const dir = useDirectory();
  const [filter, setFilter] = useState<TimelineFilter>({ type: '', kind: '', user_id: '' });
  const { entries, cursor, error, busy, more, reload } = useTimeline(entity, id, filter);
  if (!can('activities', 'read') && !can(entity, 'audit')) return null;
  const from = entries ? previousStages(entries) : new Map<number, string | null>();
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
            <TimelineItem key={`${e.type}-${e.id}`} entity={entity} recordId={id} entry={e} fromStage={from.get(e.id)} dir={dir} />
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

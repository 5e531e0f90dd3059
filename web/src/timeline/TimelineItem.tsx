import { documents, type TimelineEntity, type TimelineEntry } from '../api';
import { ActivityLinks } from '../activities/ActivityLinks';
import { activityTitle } from '../activities/activityText';
import { KindIcon } from '../activities/KindIcon';
import { statusLabel } from '../activities/kinds';
import { userName, type Directory } from '../audit/describe';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { ChangeEntry } from './ChangeEntry';

interface Props {
  entity: TimelineEntity;
  entry: TimelineEntry;
  /** The record whose timeline this is (its own link is left out of the entries). */
  recordId: number;
  /** For a stage move: the stage the deal was in before, when the older move is loaded. */
  fromStage?: string | null;
  dir: Directory;
}

/** One timeline entry: its icon, who, what, and when. */
export function TimelineItem({ entity, recordId, entry: e, fromStage, dir }: Props) {
  const who = e.user_id === null ? t('history.system') : userName(dir, e.user_id);
  let icon;
  let body;
  if (e.type === 'activity') {
    const a = e.activity;
    icon = <KindIcon name={a.kind} />;
    body = (
      <>
        <a href={`#/activities/${a.id}`} className="timeline-subject">
          {activityTitle(a)}
        </a>
        <span className={`status-pill status-${a.status}`}>{t(statusLabel(a.status))}</span>
        {a.overdue && <span className="overdue-text"> {t('activity.overdue')}</span>}
        <ActivityLinks a={a} except={{ entity, id: recordId }} />
      </>
    );
  } else if (e.type === 'stage') {
    icon = <KindIcon name="stage" />;
    body = (
      <span className="timeline-what">
        {fromStage
          ? t('timeline.stageFromTo', { from: fromStage, to: e.stage_name ?? `#${e.stage_id}` })
          : t('timeline.stageTo', { to: e.stage_name ?? `#${e.stage_id}` })}
      </span>
    );
  } else if (e.type === 'document') {
    icon = <KindIcon name="document" />;
    // The name is a link wherever the language puts it.
    const [before, after = ''] = t('timeline.document', { name: '\u0000' }).split('\u0000');
    body = (
      <span className="timeline-what">
        {before}
        <a href={documents.contentUrl(e.document.id)} download={e.document.name}>
          {e.document.name}
        </a>
        {after}
      </span>
    );
  } else {
    icon = <KindIcon name="change" />;
    body = <ChangeEntry entity={entity} action={e.action} changes={e.changes} dir={dir} />;
  }
  return (
    <li className={`timeline-entry timeline-${e.type}`} data-type={e.type} data-id={e.id}>
      {icon}
      <div className="timeline-body">
        <div className="timeline-head">
          <strong className="timeline-who">{who}</strong>
          <time className="muted" dateTime={e.at} title={e.at}>
            {formatDateTime(e.at)}
          </time>
        </div>
        <div className="timeline-main">{body}</div>
      </div>
    </li>
  );
}

import type { ActivityKind, TimelineEntity } from '../api';
import { t, type Key } from '../i18n';
import { can } from '../rights';
import { href } from '../router';

interface Props {
  entity: TimelineEntity;
  id: number;
  /** The record's name, shown in the form's link until it loads its own. */
  name: string;
}

const ACTIONS: { kind: ActivityKind; label: Key }[] = [
  { kind: 'call', label: 'timeline.logCall' },
  { kind: 'task', label: 'timeline.addTask' },
  { kind: 'note', label: 'timeline.addNote' },
  { kind: 'meeting', label: 'timeline.scheduleMeeting' },
];

const LINK: Record<TimelineEntity, string> = { companies: 'company', contacts: 'contact', deals: 'deal' };

/** "Log a call", "Add a task", …: the activity form with this record linked, back here after saving. */
export function QuickActions({ entity, id, name }: Props) {
  if (!can('activities', 'create')) return null;
  const link = LINK[entity];
  return (
    <div className="quick-actions" role="group" aria-label={t('timeline.quick')}>
      {ACTIONS.map((a) => (
        <a
          key={a.kind}
          className="btn btn-sm"
          href={href('/activities/new', { kind: a.kind, [`${link}_id`]: String(id), [`${link}_name`]: name, return: `/${entity}/${id}` })}
        >
          {t(a.label)}
        </a>
      ))}
    </div>
  );
}

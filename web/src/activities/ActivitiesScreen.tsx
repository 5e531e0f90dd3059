import { ACTIVITY_KINDS, type ActivityKind } from '../api';
import { ActivityEditor } from './ActivityEditor';
import { ActivityList } from './ActivityList';
import { ActivityView } from './ActivityView';

interface Props {
  path: string[];
  query: URLSearchParams;
}

/** #/activities, #/activities/new?kind=call&company_id=7&return=/companies/7, #/activities/7, #/activities/7/edit */
export function ActivitiesScreen({ path, query }: Props) {
  const [, sub, action] = path;
  if (!sub) return <ActivityList query={query} />;
  if (sub === 'new') {
    const k = query.get('kind');
    const kind: ActivityKind = ACTIVITY_KINDS.includes(k as ActivityKind) ? (k as ActivityKind) : 'task';
    return <ActivityEditor key={`new-${kind}`} id={null} kind={kind} query={query} />;
  }
  const id = Number(sub);
  const valid = Number.isInteger(id) && id > 0 ? id : -1;
  if (action === 'edit') return <ActivityEditor key={`e${valid}`} id={valid} kind="task" query={query} />;
  return <ActivityView key={`v${valid}`} id={valid} />;
}

import { EntityList } from '../common/EntityList';
import { ProcessesCard } from '../processes/run/ProcessesCard';
import { RecordPage, type Mode } from '../common/RecordPage';
import { DocumentsCard } from '../documents/DocumentsCard';
import { TimelineCard } from '../timeline/TimelineCard';
import { contactConfig, contactName } from './config';

interface Props {
  path: string[];
  query: URLSearchParams;
}

/** #/contacts, #/contacts/trash, #/contacts/new, #/contacts/12, #/contacts/12/edit */
export function ContactsScreen({ path, query }: Props) {
  const [, sub, action] = path;
  if (!sub) return <EntityList key="list" config={contactConfig} query={query} />;
  if (sub === 'trash') return <EntityList key="trash" config={contactConfig} query={query} trash />;
  if (sub === 'new') {
    const cid = query.get('company_id');
    const preset = cid ? { company_id: { id: cid, label: query.get('company_name') ?? `#${cid}` } } : undefined;
    return <RecordPage key="new" config={contactConfig} id={null} mode="create" preset={preset} />;
  }
  const id = Number(sub);
  const mode: Mode = action === 'edit' ? 'edit' : 'view';
  return (
    <RecordPage
      key={`r${id}`}
      config={contactConfig}
      id={Number.isInteger(id) && id > 0 ? id : -1}
      mode={mode}
      main={(c) => (
        <>
          <ProcessesCard entity="contacts" id={c.id} />
          <DocumentsCard entity="contacts" id={c.id} />
          <TimelineCard entity="contacts" id={c.id} name={contactName(c)} />
        </>
      )}
    />
  );
}

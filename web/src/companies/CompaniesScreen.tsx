import { useEffect, useState } from 'react';
import { records, type Company, type Contact } from '../api';
import { EntityList } from '../common/EntityList';
import { ProcessesCard } from '../processes/run/ProcessesCard';
import { RecordPage, type Mode } from '../common/RecordPage';
import { contactName } from '../contacts/config';
import { t } from '../i18n';
import { DocumentsCard } from '../documents/DocumentsCard';
import { TimelineCard } from '../timeline/TimelineCard';
import { companyConfig } from './config';

interface Props {
  path: string[];
  query: URLSearchParams;
}

/** #/companies, #/companies/trash, #/companies/new, #/companies/7, #/companies/7/edit */
export function CompaniesScreen({ path, query }: Props) {
  const [, sub, action] = path;
  if (!sub) return <EntityList key="list" config={companyConfig} query={query} />;
  if (sub === 'trash') return <EntityList key="trash" config={companyConfig} query={query} trash />;
  if (sub === 'new') return <RecordPage key="new" config={companyConfig} id={null} mode="create" />;
  const id = Number(sub);
  const mode: Mode = action === 'edit' ? 'edit' : 'view';
  return (
    <RecordPage
      key={`r${id}`}
      config={companyConfig}
      id={Number.isInteger(id) && id > 0 ? id : -1}
      mode={mode}
      aside={(c) => <CompanyContacts company={c} />}
      main={(c) => (
        <>
          <ProcessesCard entity="companies" id={c.id} />
          <DocumentsCard entity="companies" id={c.id} />
          <TimelineCard entity="companies" id={c.id} name={c.name} />
        </>
      )}
    />
  );
}

/** The people at a company, on the company's page. */
function CompanyContacts({ company }: { company: Company }) {
  const [rows, setRows] = useState<Contact[] | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    records
      .list<Contact>('contacts', { company_id: company.id, limit: 50, sort: 'last_name' }, ctl.signal)
      .then((p) => setRows(p.data))
      .catch(() => setRows([]));
    return () => ctl.abort();
  }, [company.id]);
  return (
    <section className="card">
      <div className="card-head">
        <h2 className="card-title">{t('companies.contacts')}</h2>
        <a className="btn btn-sm" href={`#/contacts/new?company_id=${company.id}&company_name=${encodeURIComponent(company.name)}`}>
          + {t('companies.addContact')}
        </a>
      </div>
      {rows === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t('companies.noContacts')}</p>
      ) : (
        <ul className="mini-list">
          {rows.map((c) => (
            <li key={c.id}>
              <a href={`#/contacts/${c.id}`}>{contactName(c)}</a>
              {c.position && <span className="muted"> · {c.position}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

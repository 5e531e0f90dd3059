import { useState } from 'react';
import { ApiError, desk, type FieldError } from '../api';
import { LinkPicker } from '../activities/LinkPicker';
import { ErrorBanner } from '../common/ErrorBanner';
import { FormField, errorsFor, fieldIds } from '../common/FormField';
import { CompanyPicker, type CompanyRef } from '../common/inputs';

import { t } from '../i18n';
import { navigate } from '../router';
import { NamedOptions, PriorityOptions } from './options';
import { useDeskDirectory } from './TicketList';

/** #/tickets/new (?company_id= and ?contact_id= preset the client, as from a client's page). */
export function NewTicket({ query }: { query: URLSearchParams }) {
  const { queues } = useDeskDirectory();
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState('normal');
  const [category, setCategory] = useState('');
  const [queue, setQueue] = useState('');
  const [email, setEmail] = useState('');
  const [company, setCompany] = useState<CompanyRef>({ id: query.get('company_id') ?? '', label: query.get('company_id') ? `#${query.get('company_id')}` : '' });
  const [contact, setContact] = useState<CompanyRef>({ id: query.get('contact_id') ?? '', label: query.get('contact_id') ? `#${query.get('contact_id')}` : '' });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const msgs = (name: string) => errorsFor(errors, name).map((e) => e.message);

  const submit = async () => {
    setBusy(true);
    setErrors([]);
    setError(null);
    const body: Record<string, unknown> = { subject, priority };
    if (description) body.description = description;
    if (category) body.category = category;
    if (queue) body.queue_id = Number(queue);
    if (email) body.email = email;
    if (company.id) body.company_id = Number(company.id);
    if (contact.id) body.contact_id = Number(contact.id);
    try {
      const created = await desk.create(body);
      navigate(`/tickets/${created.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) setErrors(e.errors);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page desk-page">
      <header className="page-header">
        <div>
          <p className="muted">
            <a href="#/tickets">{t('desk.title')}</a>
          </p>
          <h1>{t('desk.new')}</h1>
        </div>
      </header>
      {error !== null && <ErrorBanner error={error} />}
      <form
        className="card record-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="form-grid">
          <FormField name="subject" label={t('desk.subject')} required errors={msgs('subject')} wide>
            <input className="input" id={fieldIds('subject').id} value={subject} maxLength={500} onChange={(e) => setSubject(e.target.value)} />
          </FormField>
          <FormField name="description" label={t('desk.description')} errors={msgs('description')} wide>
            <textarea className="input" id={fieldIds('description').id} rows={5} value={description} onChange={(e) => setDescription(e.target.value)} />
          </FormField>
          <FormField name="company_id" label={t('desk.company')} errors={msgs('company_id')}>
            <CompanyPicker id={fieldIds('company_id').id} value={company} onChange={setCompany} />
          </FormField>
          <FormField name="contact_id" label={t('desk.contact')} errors={msgs('contact_id')}>
            <LinkPicker id={fieldIds('contact_id').id} entity="contacts" value={contact} onChange={setContact} />
          </FormField>
          <FormField name="email" label={t('desk.email')} errors={msgs('email')}>
            <input className="input" id={fieldIds('email').id} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </FormField>
          <FormField name="priority" label={t('desk.priority')} errors={msgs('priority')}>
            <select className="input" id={fieldIds('priority').id} value={priority} onChange={(e) => setPriority(e.target.value)}>
              <PriorityOptions />
            </select>
          </FormField>
          <FormField name="category" label={t('desk.category')} errors={msgs('category')}>
            <input className="input" id={fieldIds('category').id} value={category} maxLength={100} onChange={(e) => setCategory(e.target.value)} />
          </FormField>
          <FormField name="queue_id" label={t('desk.queue')} errors={msgs('queue_id')}>
            <select className="input" id={fieldIds('queue_id').id} value={queue} onChange={(e) => setQueue(e.target.value)}>
              <option value="">{t('desk.noQueue')}</option>
              <NamedOptions items={queues} />
            </select>
          </FormField>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || !subject.trim()}>
            {t('desk.create')}
          </button>
          <a className="btn" href="#/tickets">
            {t('common.cancel')}
          </a>
        </div>
      </form>
    </section>
  );
}

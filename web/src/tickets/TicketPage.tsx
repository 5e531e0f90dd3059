import { useCallback, useEffect, useState } from 'react';
import { desk, etagOf, TICKET_MOVES, type Ticket, type TicketMessage, type TicketStatus } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { DocumentsCard } from '../documents/DocumentsCard';
import { useToast } from '../common/Toast';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { can } from '../rights';
import { Conversation } from './Conversation';
import { MergeBox } from './MergeBox';
import { TicketLinks } from './TicketLinks';
import { TicketTasks } from './TicketTasks';
import { NamedOptions, PriorityOptions } from './options';
import { ReplyBox } from './ReplyBox';
import { SlaClocks } from './SlaClocks';
import { useDeskDirectory } from './TicketList';

/** #/tickets/7: the ticket, its SLA clocks, the conversation and the reply box. */
export function TicketPage({ id }: { id: number }) {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [messages, setMessages] = useState<TicketMessage[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { queues, people } = useDeskDirectory();
  const toast = useToast();

  const load = useCallback(async () => {
    try {
      const r = await desk.get(id);
      setTicket(r.data);
      setEtag(etagOf(r));
      setMessages(await desk.messages(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  /** One change through PATCH with If-Match; a refusal shows the server's words and reloads. */
  const change = async (patch: Record<string, unknown>, done?: string) => {
    setBusy(true);
    try {
      const r = await desk.update(id, patch, etag);
      setTicket(r.data);
      setEtag(etagOf(r));
      if (done) toast(done);
    } catch (e) {
      setError(e);
      await load();
    } finally {
      setBusy(false);
    }
  };

  if (ticket === null) {
    return (
      <section className="page">
        {error !== null ? <ErrorBanner error={error} /> : <div className="card placeholder">{t('common.loading')}</div>}
      </section>
    );
  }
  const editable = can('tickets', 'update') && ticket.merged_into_id === null;
  const finished = ticket.status === 'resolved' || ticket.status === 'closed';
  return (
    <section className="page desk-page ticket-page">
      <header className="page-header">
        <div>
          <p className="muted">
            <a href="#/tickets">{t('desk.title')}</a> · #{ticket.id}
          </p>
          <h1 className="ticket-subject">{ticket.subject}</h1>
          <p className="ticket-client">
            {ticket.company_id !== null && <a href={`#/companies/${ticket.company_id}`}>{ticket.company_name || `#${ticket.company_id}`}</a>}
            {ticket.contact_id !== null && <a href={`#/contacts/${ticket.contact_id}`}>{ticket.contact_name || `#${ticket.contact_id}`}</a>}
            {ticket.company_id === null && ticket.contact_id === null && <span className="muted">{ticket.email ?? t('desk.noClient')}</span>}
          </p>
        </div>
      </header>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {ticket.merged_into_id !== null && (
        <div className="banner">
          <span className="banner-text">
            {t('desk.mergedInto')} <a href={`#/tickets/${ticket.merged_into_id}`}>#{ticket.merged_into_id}</a>
          </span>
        </div>
      )}
      <div className="ticket-grid">
        <div className="ticket-main">
          <div className="card ticket-status-card">
            <span className={`desk-status status-${ticket.status}`} data-status={ticket.status}>
              {t(`desk.status.${ticket.status}`)}
            </span>
            {editable && (
              <div className="ticket-moves" role="group" aria-label={t('desk.moveTo')}>
                {TICKET_MOVES[ticket.status].map((s: TicketStatus) => (
                  <button key={s} type="button" className="btn btn-sm" disabled={busy} onClick={() => void change({ status: s }, t('desk.moved', { status: t(`desk.status.${s}`) }))}>
                    {t(`desk.action.${s}`)}
                  </button>
                ))}
              </div>
            )}
          </div>
          {ticket.description && <div className="card ticket-description">{ticket.description}</div>}
          <Conversation messages={messages} />
          {editable && <ReplyBox ticket={ticket} onSent={load} />}
          <DocumentsCard entity="tickets" id={ticket.id} />
        </div>
        <aside className="ticket-side">
          <div className="card">
            <h2>{t('desk.sla')}</h2>
            <SlaClocks ticket={ticket} />
          </div>
          <div className="card ticket-fields">
            <label>
              <span>{t('desk.priority')}</span>
              <select value={ticket.priority} disabled={!editable || busy} onChange={(e) => void change({ priority: e.target.value })}>
                <PriorityOptions />
              </select>
            </label>
            <label>
              <span>{t('desk.assignee')}</span>
              <select value={ticket.owner_id ?? ''} disabled={!editable || busy} onChange={(e) => void change({ owner_id: e.target.value ? Number(e.target.value) : null })}>
                <option value="">{t('desk.nobody')}</option>
                <NamedOptions items={people} />
              </select>
            </label>
            <label>
              <span>{t('desk.queue')}</span>
              <select value={ticket.queue_id ?? ''} disabled={!editable || busy} onChange={(e) => void change({ queue_id: e.target.value ? Number(e.target.value) : null })}>
                <option value="">{t('desk.noQueue')}</option>
                <NamedOptions items={queues} />
              </select>
            </label>
            <label>
              <span>{t('desk.satisfaction')}</span>
              <select
                value={ticket.satisfaction ?? ''}
                disabled={!editable || busy || !finished}
                title={finished ? undefined : t('desk.satisfactionLater')}
                onChange={(e) => void change({ satisfaction: e.target.value ? Number(e.target.value) : null })}
              >
                <option value="">—</option>
                {[1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={n}>
                    {'★'.repeat(n)}
                  </option>
                ))}
              </select>
            </label>
            <dl className="ticket-facts">
              <dt>{t('desk.channel')}</dt>
              <dd>{ticket.channel}</dd>
              {ticket.category && (
                <>
                  <dt>{t('desk.category')}</dt>
                  <dd>{ticket.category}</dd>
                </>
              )}
              <dt>{t('desk.received')}</dt>
              <dd>{formatDateTime(ticket.received_at)}</dd>
            </dl>
          </div>
          <TicketTasks ticket={ticket} editable={editable} busy={busy} onChange={(links) => change({ links }, t('desk.tasks.saved'))} />
          <TicketLinks ticket={ticket} editable={editable} busy={busy} onChange={(links) => change({ links })} />
          {editable && <MergeBox ticket={ticket} />}
        </aside>
      </div>
    </section>
  );
}

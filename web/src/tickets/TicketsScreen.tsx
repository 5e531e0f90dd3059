import { NotFoundPage } from '../common/ErrorBanner';
import { t } from '../i18n';
import { can } from '../rights';
import { NewTicket } from './NewTicket';
import { TicketList } from './TicketList';
import { TicketPage } from './TicketPage';
import './tickets.css';

/** #/tickets (the list, filters in the query), #/tickets/new, #/tickets/7. */
export function TicketsScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  const sub = path[1];
  if (!can('tickets', 'read')) {
    return <NotFoundPage message={t('error.forbidden')} />;
  }
  if (!sub) return <TicketList query={query} />;
  if (sub === 'new') return <NewTicket query={query} />;
  const id = Number(sub);
  if (!Number.isInteger(id) || id <= 0) {
    return <NotFoundPage />;
  }
  return <TicketPage key={id} id={id} />;
}

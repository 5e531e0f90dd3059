import type { TicketMessage } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';

/**
 * The ticket's messages, oldest first. Internal notes look different (a tinted card with a
 * label) so that nobody mistakes them for what the client saw. Bodies are plain text: React
 * escapes them, and white space is kept by CSS.
 */
export function Conversation({ messages }: { messages: TicketMessage[] }) {
  if (messages.length === 0) return <div className="card empty-state">{t('desk.noMessages')}</div>;
  return (
    <ol className="ticket-conversation" aria-label={t('desk.conversation')}>
      {messages.map((m) => (
        <li key={m.id} className={`ticket-message message-${m.kind}`} data-kind={m.kind}>
          <div className="ticket-message-head">
            <strong>{m.author_name ?? (m.author_contact_id !== null ? t('desk.client') : '')}</strong>
            <span className="ticket-message-kind">{t(m.kind === 'internal' ? 'desk.kind.internal' : 'desk.kind.public')}</span>
            <time dateTime={m.created_at}>{formatDateTime(m.created_at)}</time>
          </div>
          <div className="ticket-message-body">{m.body}</div>
        </li>
      ))}
    </ol>
  );
}

import { useState } from 'react';
import type { Ticket, TicketLink } from '../api';
import { LinkPicker } from '../activities/LinkPicker';
import type { CompanyRef } from '../common/inputs';
import { t } from '../i18n';

/** The deals a ticket is linked with, linked and unlinked here (the server checks each); tasks have TicketTasks. */
export function TicketLinks({ ticket, editable, busy, onChange }: { ticket: Ticket; editable: boolean; busy: boolean; onChange: (links: TicketLink[]) => Promise<void> }) {
  const all = ticket.links ?? [];
  const links = all.filter((l) => l.entity === 'deals');
  const [pick, setPick] = useState<CompanyRef>({ id: '', label: '' });
  if (!editable && links.length === 0) return null;
  return (
    <div className="card ticket-links-card">
      <h2>{t('desk.links')}</h2>
      {links.length > 0 && (
        <ul className="ticket-links">
          {links.map((l) => (
            <li key={`${l.entity}-${l.id}`}>
              <a href={`#/deals/${l.id}`}>{t('desk.link.deal', { id: l.id })}</a>
              {editable && (
                <button
                  type="button"
                  className="icon-btn"
                  disabled={busy}
                  aria-label={t('desk.unlink', { id: l.id })}
                  onClick={() => void onChange(all.filter((x) => !(x.entity === l.entity && x.id === l.id)))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <div className="ticket-link-add">
          <LinkPicker
            id="ticket-link-deal"
            entity="deals"
            value={pick}
            onChange={(v) => {
              setPick({ id: '', label: '' });
              const id = Number(v.id);
              if (id > 0 && !links.some((l) => l.id === id)) void onChange([...all, { entity: 'deals', id }]);
            }}
          />
        </div>
      )}
    </div>
  );
}

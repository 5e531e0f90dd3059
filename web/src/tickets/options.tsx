import { TICKET_PRIORITIES, TICKET_STATUSES, type Queue, type User } from '../api';
import { t } from '../i18n';

// The <option> lists the ticket screens share (filters, the ticket's fields, the form).

export function PriorityOptions() {
  return (
    <>
      {TICKET_PRIORITIES.map((p) => (
        <option key={p} value={p}>
          {t(`desk.priority.${p}`)}
        </option>
      ))}
    </>
  );
}

export function StatusOptions() {
  return (
    <>
      {TICKET_STATUSES.map((s) => (
        <option key={s} value={s}>
          {t(`desk.status.${s}`)}
        </option>
      ))}
    </>
  );
}

/** Queues or people: anything with an id and a name. */
export function NamedOptions({ items }: { items: (Queue | User)[] }) {
  return (
    <>
      {items.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </>
  );
}

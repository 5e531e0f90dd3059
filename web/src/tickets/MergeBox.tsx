import { useState } from 'react';
import { desk, type Ticket } from '../api';
import { ErrorBanner } from '../common/ErrorBanner';
import { navigate } from '../router';
import { t } from '../i18n';

/** Merge this duplicate into another ticket: its messages and links move there, this one closes. */
export function MergeBox({ ticket }: { ticket: Ticket }) {
  const [into, setInto] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const target = Number(into);
  const valid = Number.isInteger(target) && target > 0 && target !== ticket.id;
  return (
    <form
      className="card merge-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid || !window.confirm(t('desk.mergeConfirm', { id: target }))) return;
        setBusy(true);
        desk
          .merge(ticket.id, target)
          .then((m) => navigate(`/tickets/${m.id}`))
          .catch((err) => setError(err))
          .finally(() => setBusy(false));
      }}
    >
      <h2>{t('desk.merge')}</h2>
      <label>
        <span>{t('desk.mergeInto')}</span>
        <input inputMode="numeric" value={into} onChange={(e) => setInto(e.target.value.replace(/\D/g, ''))} />
      </label>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <button type="submit" className="btn btn-sm" disabled={!valid || busy}>
        {t('desk.mergeDo')}
      </button>
    </form>
  );
}

import { useEffect, useState } from 'react';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { dashboard, togglePin } from './dashboardApi';

/** Pins a report to the user's dashboard, or takes it off (kept on the server). */
export function PinButton({ id }: { id: number }) {
  const toast = useToast();
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    dashboard
      .get(ctl.signal)
      .then((d) => setOn(d.report_ids.includes(id)))
      .catch(() => {});
    return () => ctl.abort();
  }, [id]);
  if (on === null) return null;
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-pressed={on}
      disabled={busy}
      onClick={() => {
        setBusy(true);
        togglePin(id, !on)
          .then((d) => setOn(d.report_ids.includes(id)))
          .catch((e: unknown) => toast(e instanceof Error ? e.message : t('rw.pinFailed')))
          .finally(() => setBusy(false));
      }}
    >
      {on ? t('rw.unpin') : t('rw.pin')}
    </button>
  );
}

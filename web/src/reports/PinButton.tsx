import { useState } from 'react';
import { t } from '../i18n';
import { isPinned, pin, unpin } from './pins';

/** Pins a report to the user's dashboard, or takes it off. */
export function PinButton({ id }: { id: number }) {
  const [on, setOn] = useState(() => isPinned(id));
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-pressed={on}
      onClick={() => {
        if (on) unpin(id);
        else pin(id);
        setOn(!on);
      }}
    >
      {on ? t('rw.unpin') : t('rw.pin')}
    </button>
  );
}

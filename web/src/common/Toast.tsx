import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { t } from '../i18n';

interface ToastItem {
  id: number;
  text: string;
  action?: { label: string; run: () => void };
}

type Show = (text: string, action?: ToastItem['action']) => void;
const ToastContext = createContext<Show>(() => {});

export function useToast(): Show {
  return useContext(ToastContext);
}

/** Short confirmations at the bottom of the screen ("Contact saved", "Moved to trash · Undo"). */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const show = useCallback<Show>(
    (text, action) => {
      const id = next.current++;
      setItems((xs) => [...xs.slice(-1), { id, text, action }]);
      window.setTimeout(() => dismiss(id), action ? 8000 : 4000);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((x) => (
          <div className="toast" key={x.id}>
            <span>{x.text}</span>
            {x.action && (
              <button
                type="button"
                className="toast-action"
                onClick={() => {
                  dismiss(x.id);
                  x.action?.run();
                }}
              >
                {x.action.label}
              </button>
            )}
            <button type="button" className="icon-btn" aria-label={t('common.dismiss')} onClick={() => dismiss(x.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

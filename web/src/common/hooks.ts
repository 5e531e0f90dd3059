import { useEffect, useState } from 'react';

/** The value, but only after it stopped changing for `ms` milliseconds. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** The browser tab's title: "Contacts · CRM". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · CRM` : 'CRM';
  }, [title]);
}

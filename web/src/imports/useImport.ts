import { useCallback, useEffect, useState } from 'react';
import { imports, type CrmImport } from '../api';

/** Statuses during which the server is still working on the import. */
export const BUSY = new Set(['checking', 'running', 'undoing']);

/**
 * One import, kept fresh: loaded on mount, and read again every 700 ms while a dry run or run is
 * under way (the server writes its progress after each chunk of rows).
 */
export function useImport(id: number): {
  imp: CrmImport | null;
  error: unknown;
  reload: () => Promise<void>;
  set: (imp: CrmImport) => void;
} {
  const [imp, setImp] = useState<CrmImport | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      setImp(await imports.get(id));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const busy = imp !== null && BUSY.has(imp.status);
  useEffect(() => {
    if (!busy) return undefined;
    const timer = window.setInterval(() => void reload(), 700);
    return () => window.clearInterval(timer);
  }, [busy, reload]);

  return { imp, error, reload, set: setImp };
}

import { useEffect, useState } from 'react';
import type { Answer } from './reportsApi';

export interface Run {
  answer: Answer | null;
  error: unknown;
  loading: boolean;
}

/**
 * Runs `go` whenever `key` or `tick` changes, dropping the answer of a run overtaken by a newer
 * one (its request is aborted).
 */
export function useRun(go: ((signal: AbortSignal) => Promise<Answer>) | null, key: string, tick: number): Run {
  const [run, setRun] = useState<Run>({ answer: null, error: null, loading: false });
  useEffect(() => {
    if (!go) return;
    const ctl = new AbortController();
    setRun((r) => ({ ...r, loading: true }));
    go(ctl.signal)
      .then((answer) => setRun({ answer, error: null, loading: false }))
      .catch((error) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        setRun({ answer: null, error, loading: false });
      });
    return () => ctl.abort();
  }, [key, tick, go === null]);
  return run;
}

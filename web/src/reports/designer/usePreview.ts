import { useEffect, useState } from 'react';
import { ApiError } from '../../api';
import { useDebounced } from '../../common/hooks';
import { reports, viewerZone, type Answer, type Definition } from '../reportsApi';
import type { Problems } from './problems';

export interface Preview {
  answer: Answer | null;
  /** The server's 422 problems with the description as it stands. */
  problems: Problems;
  /** Any other failure (too large, too slow, offline). */
  error: unknown;
  running: boolean;
}

/** Runs the description (POST /reports/run) a moment after it stops changing. */
export function usePreview(def: Definition | null): Preview {
  const json = useDebounced(def ? JSON.stringify(def) : '', 400);
  const [p, setP] = useState<Preview>({ answer: null, problems: [], error: null, running: false });
  useEffect(() => {
    if (!json) return;
    const ctl = new AbortController();
    setP((x) => ({ ...x, running: true }));
    reports
      .preview(JSON.parse(json) as Definition, viewerZone(), ctl.signal)
      .then((answer) => setP({ answer, problems: [], error: null, running: false }))
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        if (e instanceof ApiError && e.status === 422) setP({ answer: null, problems: e.errors, error: null, running: false });
        else setP({ answer: null, problems: [], error: e, running: false });
      });
    return () => ctl.abort();
  }, [json]);
  return p;
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { activities, type TimelineEntity, type TimelineEntry } from '../api';

export interface TimelineFilter {
  type: string;
  kind: string;
  user_id: string;
}

/** A record's timeline, newest first, one page at a time with the server's cursor. */
export function useTimeline(entity: TimelineEntity, id: number, filter: TimelineFilter) {
  const [entries, setEntries] = useState<TimelineEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ctl = useRef<AbortController | null>(null);
  const key = `${filter.type}|${filter.kind}|${filter.user_id}`;

  const load = useCallback(
    async (from: string | null) => {
      ctl.current?.abort();
      const c = new AbortController();
      ctl.current = c;
      setBusy(true);
      try {
        const page = await activities.timeline(entity, id, { ...filter, cursor: from, limit: 20 }, c.signal);
        setEntries((xs) => (from && xs ? [...xs, ...page.data] : page.data));
        setCursor(page.next_cursor);
        setError(null);
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setError(e);
      } finally {
        if (ctl.current === c) setBusy(false);
      }
    },
    [entity, id, key],
  );

  useEffect(() => {
    setEntries(null);
    void load(null);
    return () => ctl.current?.abort();
  }, [load]);

  return { entries, cursor, error, busy, more: () => void load(cursor), reload: () => void load(null) };
}

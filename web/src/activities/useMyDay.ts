import { useCallback, useEffect, useRef, useState } from 'react';
import { activities, type Activity, type MyDay } from '../api';

export type BucketName = 'overdue' | 'today' | 'tomorrow' | 'this_week';
export const BUCKETS: BucketName[] = ['overdue', 'today', 'tomorrow', 'this_week'];

/**
 * My day of one user in one time zone, with a task completed in place: the entry leaves its list
 * at once and comes back where it was when the server refuses.
 */
export function useMyDay(tz: string, userId: number | null) {
  const [day, setDay] = useState<MyDay | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ctl = useRef<AbortController | null>(null);

  const load = useCallback(async () => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    try {
      const d = await activities.myDay(tz, userId, c.signal);
      setDay(d);
      setError(null);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
    }
  }, [tz, userId]);

  useEffect(() => {
    setDay(null);
    void load();
    return () => ctl.current?.abort();
  }, [load]);

  /** Completes a task optimistically; resolves with the error when it had to be put back. */
  const complete = useCallback(async (a: Activity): Promise<unknown> => {
    let from: { bucket: BucketName; index: number } | null = null;
    setDay((d) => {
      if (!d) return d;
      const next = { ...d };
      for (const b of BUCKETS) {
        const index = d[b].data.findIndex((x) => x.id === a.id);
        if (index >= 0) {
          from = { bucket: b, index };
          next[b] = { ...d[b], data: d[b].data.filter((x) => x.id !== a.id), count: d[b].count - 1 };
        }
      }
      return next;
    });
    try {
      await activities.complete(a.id, `"${a.version}"`);
      return null;
    } catch (e) {
      const at = from as { bucket: BucketName; index: number } | null;
      if (at) {
        setDay((d) => {
          if (!d || d[at.bucket].data.some((x) => x.id === a.id)) return d;
          const data = [...d[at.bucket].data];
          data.splice(Math.min(at.index, data.length), 0, a);
          return { ...d, [at.bucket]: { ...d[at.bucket], data, count: d[at.bucket].count + 1 } };
        });
      }
      return e;
    }
  }, []);

  return { day, error, reload: load, complete };
}

// The directory and the department tree, for pickers and names (every signed-in user may read both).
import { useCallback, useEffect, useState } from 'react';
import { departments as deptApi, staff, type Department, type User } from '../api';

export interface Org {
  users: User[];
  depts: Department[];
  loaded: boolean;
  error: unknown;
  reload: () => void;
}

/** Users and departments, loaded fresh (admin screens change them). */
export function useOrg(): Org {
  const [users, setUsers] = useState<User[]>([]);
  const [depts, setDepts] = useState<Department[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all([staff.list(), deptApi.list()])
      .then(([u, d]) => {
        if (!live) return;
        setUsers(u);
        setDepts(d);
        setError(null);
        setLoaded(true);
      })
      .catch((e) => {
        if (!live) return;
        setError(e);
        setLoaded(true);
      });
    return () => {
      live = false;
    };
  }, [tick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { users, depts, loaded, error, reload };
}

export const userLabel = (u: User) => (u.name ? `${u.name} (${u.email})` : u.email);

/** Departments in tree order with their depth: parents first, children under them by name. */
export function treeOrder(depts: Department[]): { dept: Department; depth: number }[] {
  const kids = new Map<number | null, Department[]>();
  const ids = new Set(depts.map((d) => d.id));
  for (const d of depts) {
    const p = d.parent_id !== null && ids.has(d.parent_id) ? d.parent_id : null;
    kids.set(p, [...(kids.get(p) ?? []), d]);
  }
  for (const xs of kids.values()) xs.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  const out: { dept: Department; depth: number }[] = [];
  const walk = (p: number | null, depth: number) => {
    for (const d of kids.get(p) ?? []) {
      out.push({ dept: d, depth });
      if (depth < 32) walk(d.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** id and every department below it. */
export function subtreeIds(depts: Department[], id: number): Set<number> {
  const out = new Set([id]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of depts) {
      if (d.parent_id !== null && out.has(d.parent_id) && !out.has(d.id)) {
        out.add(d.id);
        changed = true;
      }
    }
  }
  return out;
}

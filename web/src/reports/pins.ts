// The reports a user pinned to their dashboard, in order. Kept in the browser's storage per
// user (there is no server-side place for it yet): a pin is a report id, never its data, so a
// pinned report still runs with the viewer's rights and a report gone from the library drops out.
import { currentUser } from '../api';

const key = () => `crm.dashboard.${currentUser()?.id ?? 0}`;

export function pinned(): number[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key()) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  } catch {
    return [];
  }
}

function save(ids: number[]): void {
  try {
    localStorage.setItem(key(), JSON.stringify(ids));
  } catch {
    /* storage may be disabled: the dashboard stays as it was */
  }
}

export const isPinned = (id: number) => pinned().includes(id);
export const pin = (id: number) => save([...pinned().filter((x) => x !== id), id]);
export const unpin = (id: number) => save(pinned().filter((x) => x !== id));

/** Moves a pinned report one place earlier (-1) or later (+1). */
export function move(id: number, by: -1 | 1): void {
  const ids = pinned();
  const i = ids.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  save(ids);
}

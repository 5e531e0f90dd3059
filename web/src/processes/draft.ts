// A definition handed to the editor unsaved (from the wizard, or a copy of a shipped template):
// kept in sessionStorage so that #/admin/processes/new survives a reload of the tab.
import type { Definition } from './types';

const KEY = 'crm.process.draft';

export function putDraft(def: Definition): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(def));
  } catch {
    /* storage may be disabled: the editor then starts blank */
  }
}

export function takeDraft(): Definition | null {
  try {
    const s = sessionStorage.getItem(KEY);
    return s ? (JSON.parse(s) as Definition) : null;
  } catch {
    return null;
  }
}

export function dropDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* ignore */
  }
}

/** A blank template: no steps yet; the first one added becomes the start. */
export function blankDefinition(name: string): Definition {
  return { key: 'new_process', name, entity: 'deals', trigger: { type: 'manual' }, start: '', steps: [] };
}

import type { ImportEntity, ImportStatus } from '../api';
import { t, type Key } from '../i18n';

export function entityLabel(e: ImportEntity): string {
  return t(`imports.entity.${e}` as Key);
}

export function statusLabel(s: ImportStatus): string {
  return t(`imports.status.${s}` as Key);
}

/** The field types the server names, as a user reads them. */
export function typeLabel(type: string): string {
  const key = `imports.type.${type}` as Key;
  const s = t(key);
  return s === key ? type : s;
}

import type { ReactNode } from 'react';
import type { AnyRecord, EntityName } from '../api';
import { t, type Key } from '../i18n';

/** How a built-in field is edited and shown. */
export type FieldKind =
  | 'text' | 'textarea' | 'url' | 'date' | 'emails' | 'phones' | 'tags' | 'company' | 'owner'
  // Deals: an amount typed in major units of the form's `currency`, the currency, the pipeline and
  // its stage (chosen at creation), and the contacts (a list of ids).
  | 'amount' | 'currency' | 'pipeline' | 'stage' | 'contacts';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  label: Key;
  required?: boolean;
  /** Spans the whole form row. */
  wide?: boolean;
  autoComplete?: string;
  /** Set when the record is created and never edited afterwards (a deal's pipeline). */
  createOnly?: boolean;
}

export interface Column<T> {
  key: string;
  label: Key;
  /** The API sort field this column sorts by. */
  sort?: string;
  /** The record field it shows (a role that hides the field hides the column). */
  field?: string;
  render: (r: T) => ReactNode;
  className?: string;
}

export interface EntityConfig<T extends AnyRecord> {
  entity: EntityName;
  fields: FieldSpec[];
  columns: Column<T>[];
  /** Exact-match filters offered above the list (API query parameter names). */
  filters: { name: string; label: Key }[];
  title: (r: T) => string;
  subtitle?: (r: T) => ReactNode;
  /** Fields the record itself keeps from being edited, with the reason shown beside them. */
  locked?: (r: T) => Record<string, string>;
}

type Suffix =
  | 'title' | 'one' | 'new' | 'create' | 'empty' | 'emptyFiltered' | 'trash' | 'trashEmpty' | 'search'
  | 'created' | 'saved' | 'deleted' | 'restored' | 'confirmDeleteTitle' | 'confirmDelete';

/** The per-entity text: et('contacts', 'empty') → "No contacts yet — create the first one". */
export function et(entity: EntityName, s: Suffix, vars?: Record<string, string | number>): string {
  return t(`${entity}.${s}` as Key, vars);
}

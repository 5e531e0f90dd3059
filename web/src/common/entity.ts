import type { ReactNode } from 'react';
import type { AnyRecord, EntityName, FieldError } from '../api';
import type { FormState } from './formState';
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
  /** The API columns an export writes for it (default: field, else key); [] for none. */
  export?: string[];
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

/**
 * A part of a record's form with state of its own, written with the record (a deal's line items).
 * Its state is opaque to the record page, which loads it, renders it below the details, and merges
 * its body into the create or update request.
 */
export interface FormExtension<T extends AnyRecord> {
  /** The fields its errors name ("items", "price_list_id"): shown in place, not in the banner. */
  fields: string[];
  /** The starting state: from the record when editing, null when creating. */
  load: (r: T | null) => Promise<unknown>;
  /** Fields of the main form it sets itself, with the reason (the amount while there are lines). */
  locked: (state: unknown) => Record<string, string>;
  /** What it adds to the request: everything when creating (original null), else what changed. */
  body: (state: unknown, original: unknown, form: FormState) => Record<string, unknown>;
  render: (p: { state: unknown; form: FormState; errors: FieldError[]; onChange: (s: unknown) => void }) => ReactNode;
}

type Suffix =
  | 'title' | 'one' | 'new' | 'create' | 'empty' | 'emptyFiltered' | 'trash' | 'trashEmpty' | 'search'
  | 'created' | 'saved' | 'deleted' | 'restored' | 'confirmDeleteTitle' | 'confirmDelete';

/** The per-entity text: et('contacts', 'empty') → "No contacts yet — create the first one". */
export function et(entity: EntityName, s: Suffix, vars?: Record<string, string | number>): string {
  return t(`${entity}.${s}` as Key, vars);
}

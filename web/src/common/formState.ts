// A record form's state, built from a record and turned back into a request body.
import type { AnyRecord, CustomFieldDef, CustomValue } from '../api';
import { currencyDigits, majorToMinor, minorToMajor } from '../format';
import { t } from '../i18n';
import { customFromForm, customToForm, type CustomFormValue } from './customValues';
import type { FieldSpec } from './entity';
import type { CompanyRef } from './inputs';

export type BuiltinValue = string | string[] | CompanyRef;

export interface FormState {
  fields: Record<string, BuiltinValue>;
  custom: Record<string, CustomFormValue>;
}

function get(r: AnyRecord | null, name: string): unknown {
  return r ? (r as unknown as Record<string, unknown>)[name] : undefined;
}

export function toFormState(fields: FieldSpec[], defs: CustomFieldDef[], r: AnyRecord | null): FormState {
  const out: FormState = { fields: {}, custom: {} };
  for (const f of fields) {
    const v = get(r, f.name);
    switch (f.kind) {
      case 'emails':
      case 'phones':
        out.fields[f.name] = Array.isArray(v) && v.length ? v.map(String) : [''];
        break;
      case 'tags':
        out.fields[f.name] = Array.isArray(v) ? v.join(', ') : '';
        break;
      case 'company': {
        const id = get(r, 'company_id');
        const label = get(r, 'company_name');
        out.fields[f.name] = { id: id ? String(id) : '', label: typeof label === 'string' ? label : id ? `#${id}` : '' };
        break;
      }
      case 'owner':
        out.fields[f.name] = v === null || v === undefined ? '' : String(v);
        break;
      case 'contacts':
        out.fields[f.name] = Array.isArray(v) ? v.map(String) : [];
        break;
      case 'amount': {
        const cur = get(r, 'currency');
        out.fields[f.name] =
          typeof v === 'number' ? minorToMajor(v, currencyDigits(typeof cur === 'string' ? cur : '')) : '';
        break;
      }
      default:
        out.fields[f.name] = v === null || v === undefined ? '' : String(v);
    }
  }
  for (const d of defs) out.custom[d.name] = customToForm(d, r?.custom?.[d.name]);
  return out;
}

/** Empty list items are dropped before saving, so that emails[i] in an error is the i-th input. */
export function compactLists(fields: FieldSpec[], s: FormState): FormState {
  const next = { ...s, fields: { ...s.fields } };
  for (const f of fields) {
    if (f.kind === 'emails' || f.kind === 'phones') {
      const xs = (s.fields[f.name] as string[]).map((x) => x.trim()).filter(Boolean);
      next.fields[f.name] = xs.length ? xs : [''];
    }
  }
  return next;
}

function builtinPayload(f: FieldSpec, v: BuiltinValue | undefined): unknown {
  switch (f.kind) {
    case 'emails':
    case 'phones':
      return (Array.isArray(v) ? v : []).map((x) => x.trim()).filter(Boolean);
    case 'tags': {
      const xs = String(v ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      return [...new Set(xs)];
    }
    case 'company': {
      const ref = v as CompanyRef | undefined;
      return ref?.id ? Number(ref.id) : null;
    }
    case 'owner':
    case 'pipeline':
    case 'stage':
      return v ? Number(v) : null;
    case 'contacts':
      return (Array.isArray(v) ? v : []).map(Number);
    case 'textarea': {
      const s = String(v ?? '');
      return s.trim() ? s : null;
    }
    default: {
      const s = String(v ?? '').trim();
      if (s) return s;
      return f.required ? '' : null;
    }
  }
}

function isEmpty(v: unknown): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

export interface BuiltBody {
  body: Record<string, unknown>;
  /** Problems found before asking the server (money amounts that are not amounts). */
  localErrors: { field: string; message: string }[];
}

/**
 * The request body. For a new record: every non-empty field. For an update: only the fields
 * that changed (PATCH sets only what it names; null clears). `custom` is sent whole (every
 * defined field with a value, and null for the ones just cleared) whenever any of it changed.
 */
export function buildBody(fields: FieldSpec[], defs: CustomFieldDef[], s: FormState, original: FormState | null): BuiltBody {
  const body: Record<string, unknown> = {};
  const localErrors: { field: string; message: string }[] = [];
  for (const f of fields) {
    if (f.kind === 'amount') {
      const v = amountPayload(s);
      if (v === undefined) {
        const digits = currencyDigits(String(s.fields.currency ?? ''));
        localErrors.push({ field: f.name, message: t('deals.amountInvalid', { digits, example: minorToMajor(123456, digits) }) });
      } else if (original ? JSON.stringify(v) !== JSON.stringify(amountPayload(original)) : v !== null) {
        body[f.name] = v;
      }
      continue;
    }
    const v = builtinPayload(f, s.fields[f.name]);
    const key = f.kind === 'company' ? 'company_id' : f.name;
    if (original) {
      const was = builtinPayload(f, original.fields[f.name]);
      if (JSON.stringify(v) !== JSON.stringify(was)) body[key] = v;
    } else if (!isEmpty(v) || f.required) {
      body[key] = v;
    }
  }
  const custom: Record<string, CustomValue> = {};
  let customChanged = false;
  for (const d of defs) {
    const c = customFromForm(d, s.custom[d.name]);
    if ('error' in c) {
      localErrors.push({ field: `custom.${d.name}`, message: c.error });
      continue;
    }
    const was = original ? customFromForm(d, original.custom[d.name]) : { value: null };
    const wasValue = 'value' in was ? was.value : null;
    if (JSON.stringify(c.value) !== JSON.stringify(wasValue)) customChanged = true;
    if (c.value !== null) custom[d.name] = c.value;
    else if (wasValue !== null) custom[d.name] = null;
  }
  if (original ? customChanged : Object.keys(custom).length > 0) body.custom = custom;
  return { body, localErrors };
}

/**
 * A deal's amount in minor units of the form's currency, parsed from the typed decimal text
 * by string arithmetic (never through a binary float): null when empty, undefined when it is
 * not an amount in that currency.
 */
function amountPayload(s: FormState): number | null | undefined {
  const text = String(s.fields.amount ?? '').trim();
  if (!text) return null;
  return majorToMinor(text, currencyDigits(String(s.fields.currency ?? ''))) ?? undefined;
}

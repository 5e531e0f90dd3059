// A deal's line items as the form holds them (text as typed), and the `items` body of
// POST/PATCH /deals and POST /line-items/quote built from them. Money is parsed by string
// arithmetic (format.ts), never through a float; text that is no amount is sent as typed,
// so the server's message shows on the line.
import type { DealItems, QuoteLine } from '../../api';
import { majorToMinor, minorToMajor } from '../../format';

export interface LineDraft {
  /** Stable React key of the row. */
  key: string;
  product_id: number | null;
  name: string;
  quantity: string;
  unit_id: string;
  /** Major units as typed; empty on a product line means "the catalog's price" (the quote fills it in). */
  price: string;
  discount: string;
  tax: string;
}

export interface ItemsState {
  lines: LineDraft[];
  /** A price list's id, or '' for the catalog's own prices. */
  priceListId: string;
}

let seq = 0;
export function emptyLine(): LineDraft {
  return { key: `l${++seq}`, product_id: null, name: '', quantity: '1', unit_id: '', price: '', discount: '', tax: '' };
}

/** The stored lines of a deal as form rows. */
export function fromStored(d: DealItems, digits: number): ItemsState {
  return {
    priceListId: d.price_list_id ? String(d.price_list_id) : '',
    lines: d.items.map((it) => ({
      ...emptyLine(),
      product_id: it.product_id ?? null,
      name: it.name ?? '',
      quantity: String(it.quantity),
      unit_id: it.unit_id ? String(it.unit_id) : '',
      price: minorToMajor(it.price, digits),
      discount: it.discount && Number(it.discount) !== 0 ? String(it.discount) : '',
      tax: it.tax ? String(it.tax) : '',
    })),
  };
}

/** A row worth sending: it names a product, or has a name or a price typed. */
export function started(l: LineDraft): boolean {
  return l.product_id !== null || l.name.trim() !== '' || l.price.trim() !== '';
}

/** The `items` to send and, for each, the row it came from (to put the server's items[j] messages on it). */
export function toPayload(lines: LineDraft[], digits: number): { items: QuoteLine[]; rows: number[] } {
  const items: QuoteLine[] = [];
  const rows: number[] = [];
  lines.forEach((l, i) => {
    if (!started(l)) return;
    const item: QuoteLine = { quantity: l.quantity.trim() };
    if (l.product_id !== null) item.product_id = l.product_id;
    if (l.name.trim()) item.name = l.name.trim();
    if (l.unit_id) item.unit_id = Number(l.unit_id);
    const price = l.price.trim();
    if (price) item.price = majorToMinor(price, digits) ?? (price as unknown as number);
    if (l.discount.trim()) item.discount = l.discount.trim();
    if (l.tax.trim()) item.tax = l.tax.trim();
    items.push(item);
    rows.push(i);
  });
  return { items, rows };
}

/** Messages for row i from errors named items[j].field, given which row each j came from. */
export function rowErrors(errors: { field: string; message: string }[], rows: number[], i: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const m = /^items\[(\d+)\](?:\.(\w+))?$/.exec(e.field);
    if (!m || rows[Number(m[1])] !== i) continue;
    const f = m[2] ?? '';
    (out[f] ??= []).push(e.message);
  }
  return out;
}

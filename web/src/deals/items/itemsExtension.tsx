// The deal form's line items as a record form extension: loaded from GET /deals/{id}/items,
// sent as "items" (the whole list) and "price_list_id" with the deal. While there are lines the
// amount is their total, so the form neither edits nor sends it (nor the currency they are priced in).
import { catalog, type Deal } from '../../api';
import type { FormExtension } from '../../common/entity';
import { currencyDigits } from '../../format';
import { t } from '../../i18n';
import { fromStored, toPayload, type ItemsState } from './lineDraft';
import { LineItemsEditor } from './LineItemsEditor';

const none: ItemsState = { lines: [], priceListId: '' };

function payload(s: ItemsState, currency: string) {
  return {
    items: toPayload(s.lines, currencyDigits(currency)).items,
    price_list_id: s.priceListId ? Number(s.priceListId) : null,
  };
}

export const itemsExtension: FormExtension<Deal> = {
  fields: ['items', 'price_list_id'],
  load: async (d) => {
    if (!d || d.items_count === 0) return { ...none, priceListId: d?.price_list_id ? String(d.price_list_id) : '' };
    const stored = await catalog.dealItems(d.id);
    return fromStored(stored, currencyDigits(stored.currency));
  },
  locked: (st): Record<string, string> =>
    (st as ItemsState).lines.length > 0 ? { amount: t('deals.amountFromItems'), currency: t('deals.amountFromItems') } : {},
  body: (st, orig, form) => {
    const currency = String(form.fields.currency ?? '');
    const now = payload(st as ItemsState, currency);
    const out: Record<string, unknown> = {};
    if (!orig) {
      if (now.items.length) out.items = now.items;
      if (now.price_list_id !== null) out.price_list_id = now.price_list_id;
      return out;
    }
    const was = payload(orig as ItemsState, currency);
    if (JSON.stringify(now.items) !== JSON.stringify(was.items)) out.items = now.items;
    if (now.price_list_id !== was.price_list_id) out.price_list_id = now.price_list_id;
    return out;
  },
  render: ({ state, form, errors, onChange }) => (
    <LineItemsEditor state={state as ItemsState} currency={String(form.fields.currency ?? '')} errors={errors} onChange={onChange} />
  ),
};

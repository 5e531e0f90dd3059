import type { FieldError } from '../../api';
import { currencyDigits } from '../../format';
import { t } from '../../i18n';
import { useCatalogLists } from './catalogLists';
import { emptyLine, rowErrors, toPayload, type ItemsState } from './lineDraft';
import { LineRow } from './LineRow';
import { LineTotals } from './LineTotals';
import { useQuote } from './useQuote';

interface Props {
  state: ItemsState;
  /** The deal's currency: the lines are priced in it. */
  currency: string;
  /** The save's messages (items[j].field, price_list_id). */
  errors: FieldError[];
  onChange: (s: ItemsState) => void;
}

/** The deal form's line items: a row per line, a price list, and live totals from the server's quote. */
export function LineItemsEditor({ state, currency, errors, onChange }: Props) {
  const { units, priceLists } = useCatalogLists();
  const digits = currencyDigits(currency);
  const { items, rows } = toPayload(state.lines, digits);
  const q = useQuote(currency, state.priceListId, items);
  const lists = priceLists.filter((l) => l.currency === currency && (l.active || String(l.id) === state.priceListId));
  const listErrors = errors.filter((e) => e.field === 'price_list_id').map((e) => e.message);

  const setLine = (i: number, line: ItemsState['lines'][number]) =>
    onChange({ ...state, lines: state.lines.map((l, k) => (k === i ? line : l)) });

  return (
    <section className="card form-card line-items" aria-labelledby="line-items-title">
      <div className="card-head">
        <h2 className="card-title" id="line-items-title">
          {t('items.title')}
        </h2>
        {(lists.length > 0 || state.priceListId) && (
          <label className="row-inline">
            <span className="field-label">{t('items.priceList')}</span>
            <select
              className="input"
              name="price_list_id"
              aria-invalid={listErrors.length > 0 || undefined}
              value={state.priceListId}
              // Product lines priced by the catalog follow the new list (the quote shows their prices).
              onChange={(e) => onChange({ ...state, priceListId: e.target.value })}
            >
              <option value="">{t('items.noPriceList')}</option>
              {lists.map((l) => (
                <option key={l.id} value={String(l.id)}>
                  {l.name} · {l.currency}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <p className="field-hint">{t('items.hint')}</p>
      {listErrors.length > 0 && <div className="field-error">{listErrors.join('; ')}</div>}
      {state.lines.length > 0 && (
        <div className="table-wrap">
          <table className="data-table line-table">
            <caption className="sr-only">{t('items.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('items.product')}</th>
                <th scope="col">{t('items.quantity')}</th>
                <th scope="col">{t('items.unit')}</th>
                <th scope="col">{t('items.price')}</th>
                <th scope="col">{t('items.discount')}</th>
                <th scope="col">{t('items.tax')}</th>
                <th scope="col" className="num">{t('items.net')}</th>
                <th scope="col" className="num">{t('items.taxAmount')}</th>
                <th scope="col" className="num">{t('items.total')}</th>
                <th scope="col" className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.lines.map((l, i) => {
                const j = rows.indexOf(i);
                const before = j >= 0 ? q.last?.lines[j] : undefined;
                return (
                  <LineRow
                    key={l.key}
                    line={l}
                    index={i}
                    units={units}
                    currency={currency}
                    digits={digits}
                    quoted={j >= 0 ? q.quote?.lines[j] : undefined}
                    catalogPrice={l.product_id !== null && before?.product_id === l.product_id ? before.price : undefined}
                    errors={{ ...rowErrors(errors, rows, i), ...rowErrors(q.errors, rows, i) }}
                    onChange={(next) => setLine(i, next)}
                    onRemove={() => onChange({ ...state, lines: state.lines.filter((_, k) => k !== i) })}
                  />
                );
              })}
            </tbody>
            <LineTotals quote={q.quote} pending={q.pending} currency={currency} />
          </table>
        </div>
      )}
      {q.problem && (
        <div className="field-error" role="alert">
          {t('items.quoteFailed', { reason: q.problem })}
        </div>
      )}
      <button type="button" className="btn btn-sm" onClick={() => onChange({ ...state, lines: [...state.lines, emptyLine()] })}>
        + {t('items.add')}
      </button>
    </section>
  );
}

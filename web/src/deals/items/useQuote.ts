import { useEffect, useState } from 'react';
import { ApiError, catalog, type FieldError, type Quote, type QuoteLine } from '../../api';
import { errorText } from '../../common/ErrorBanner';
import { useDebounced } from '../../common/hooks';
import { rememberCurrencyDigits } from '../../format';

export interface QuoteState {
  /** The last good answer for exactly these lines (null while pricing, on errors, without lines). */
  quote: Quote | null;
  /** The server's messages per line, named items[j].field. */
  errors: FieldError[];
  /** A problem that is not about one line. */
  problem: string | null;
  pending: boolean;
  /** The last good answer, even for lines since changed (for hints such as a catalog price). */
  last: Quote | null;
}

/** Live totals: POST /line-items/quote once the lines stop changing for a moment. Writes nothing. */
export function useQuote(currency: string, priceListId: string, items: QuoteLine[]): QuoteState {
  const key = JSON.stringify({ currency, priceListId, items });
  const settled = useDebounced(key, 300);
  const [state, setState] = useState<Omit<QuoteState, 'last'> & { key: string }>({ key: '', quote: null, errors: [], problem: null, pending: false });
  const [last, setLast] = useState<Quote | null>(null);

  useEffect(() => {
    const asked = JSON.parse(settled) as { currency: string; priceListId: string; items: QuoteLine[] };
    if (asked.items.length === 0 || !asked.currency) {
      setState({ key: settled, quote: null, errors: [], problem: null, pending: false });
      return;
    }
    const ctl = new AbortController();
    const body = {
      currency: asked.currency,
      items: asked.items,
      ...(asked.priceListId ? { price_list_id: Number(asked.priceListId) } : {}),
    };
    catalog
      .quote(body, ctl.signal)
      .then((q) => {
        rememberCurrencyDigits([{ code: q.currency, digits: q.digits }]);
        setState({ key: settled, quote: q, errors: [], problem: null, pending: false });
        setLast(q);
      })
      .catch((e) => {
        if (ctl.signal.aborted) return;
        const errors = e instanceof ApiError ? e.errors.filter((x) => x.field.startsWith('items[')) : [];
        const problem = errors.length ? null : errorText(e);
        setState({ key: settled, quote: null, errors, problem, pending: false });
      });
    return () => ctl.abort();
  }, [settled]);

  // Until the answer for the lines as they are now arrives, the old figures are not shown as theirs.
  const fresh = state.key === key;
  return { quote: fresh ? state.quote : null, errors: state.errors, problem: state.problem, pending: !fresh && items.length > 0, last };
}

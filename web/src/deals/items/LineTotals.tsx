import type { Quote } from '../../api';
import { formatMoney } from '../../format';
import { t } from '../../i18n';

/** The foot of the lines table: the deal's net, tax and total as the server computed them. */
export function LineTotals({ quote, pending, currency }: { quote: Quote | null; pending: boolean; currency: string }) {
  const money = (v: number | undefined) => (v === undefined ? '—' : formatMoney({ amount: v, currency }));
  return (
    <tfoot>
      <tr className="line-totals" aria-live="polite" aria-busy={pending || undefined} data-total={quote?.total ?? ''}>
        <th scope="row" colSpan={6}>
          {pending ? t('items.pricing') : t('items.totals')}
        </th>
        <td className="num nowrap" data-cell="net">{money(quote?.net)}</td>
        <td className="num nowrap" data-cell="tax">{money(quote?.tax_amount)}</td>
        <td className="num nowrap" data-cell="total">
          <strong>{money(quote?.total)}</strong>
        </td>
        <td />
      </tr>
    </tfoot>
  );
}

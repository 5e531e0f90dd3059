import { useEffect, useState } from 'react';
import { catalog, type Deal, type DealItems } from '../../api';
import { ErrorBanner } from '../../common/ErrorBanner';
import { formatMoney, formatNumber, formatPercent } from '../../format';
import { t } from '../../i18n';

/** The deal page's line items and totals (GET /deals/{id}/items); nothing for a deal without lines. */
export function DealItemsCard({ deal }: { deal: Deal }) {
  const [items, setItems] = useState<DealItems | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (deal.items_count === 0) return;
    let live = true;
    catalog
      .dealItems(deal.id)
      .then((d) => live && setItems(d))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [deal.id, deal.version, deal.items_count]);

  if (deal.items_count === 0) return null;
  const money = (v: number) => formatMoney({ amount: v, currency: items?.currency ?? deal.currency ?? '' });
  return (
    <section className="card table-card deal-items" aria-labelledby="deal-items-title">
      <h2 className="card-title" id="deal-items-title">
        {t('items.title')}
      </h2>
      {error !== null && <ErrorBanner error={error} />}
      {items && (
        <div className="table-wrap">
          <table className="data-table line-table">
            <caption className="sr-only">{t('items.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('items.product')}</th>
                <th scope="col" className="num">{t('items.quantity')}</th>
                <th scope="col" className="num">{t('items.price')}</th>
                <th scope="col" className="num">{t('items.discount')}</th>
                <th scope="col" className="num">{t('items.tax')}</th>
                <th scope="col" className="num">{t('items.net')}</th>
                <th scope="col" className="num">{t('items.taxAmount')}</th>
                <th scope="col" className="num">{t('items.total')}</th>
              </tr>
            </thead>
            <tbody>
              {items.items.map((it, i) => (
                <tr key={i} data-line={i + 1}>
                  <td>{it.name}</td>
                  <td className="num nowrap">
                    {formatNumber(it.quantity)} {it.unit ?? ''}
                  </td>
                  <td className="num nowrap">{money(it.price)}</td>
                  <td className="num nowrap">{it.discount ? formatPercent(it.discount) : ''}</td>
                  <td className="num nowrap">{it.tax ? formatPercent(it.tax) : ''}</td>
                  <td className="num nowrap">{money(it.net)}</td>
                  <td className="num nowrap">{money(it.tax_amount)}</td>
                  <td className="num nowrap">
                    <strong>{money(it.total)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="line-totals" data-total={items.total}>
                <th scope="row" colSpan={5}>
                  {t('items.totals')}
                </th>
                <td className="num nowrap">{money(items.net)}</td>
                <td className="num nowrap">{money(items.tax_amount)}</td>
                <td className="num nowrap">
                  <strong>{money(items.total)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

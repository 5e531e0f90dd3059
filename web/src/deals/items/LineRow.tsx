import type { Product, QuotedLine, Unit } from '../../api';
import { formatMoney, minorToMajor } from '../../format';
import { t, type Key } from '../../i18n';
import type { LineDraft } from './lineDraft';
import { ProductPicker } from './ProductPicker';

interface Props {
  line: LineDraft;
  index: number;
  units: Unit[];
  currency: string;
  digits: number;
  /** The quote's figures for this line, when priced. */
  quoted: QuotedLine | undefined;
  /** A product line's price from the catalog in the deal's currency (shown until one is typed). */
  catalogPrice: number | undefined;
  /** The server's messages by field ('' for the line as a whole). */
  errors: Record<string, string[]>;
  onChange: (l: LineDraft) => void;
  onRemove: () => void;
}

/** One line item: name or product, quantity and unit, price, discount and tax, and its figures. */
export function LineRow({ line, index, units, currency, digits, quoted, catalogPrice, errors, onChange, onRemove }: Props) {
  const n = index + 1;
  const label = (k: Key) => `${t(k)}, ${t('items.line', { n })}`;
  const errId = (f: string) => `line-${line.key}-${f || 'line'}-error`;
  const aria = (...fields: string[]) => {
    const bad = fields.filter((f) => errors[f]?.length);
    return { 'aria-invalid': bad.length > 0 || undefined, 'aria-describedby': bad.length ? bad.map(errId).join(' ') : undefined };
  };
  const messages = (...fields: string[]) =>
    fields
      .filter((f) => errors[f]?.length)
      .map((f) => (
        <div className="field-error" key={f} id={errId(f)} data-field={`items[${index}]${f ? `.${f}` : ''}`}>
          {errors[f].join('; ')}
        </div>
      ));
  const money = (v: number | undefined) => (v === undefined ? '' : formatMoney({ amount: v, currency }));
  const set = (patch: Partial<LineDraft>) => onChange({ ...line, ...patch });
  const pick = (p: Product) =>
    set({ product_id: p.id, name: p.name, unit_id: String(p.unit_id), tax: p.tax_rate, price: '' });

  const nameAria = aria('name', 'product_id', '');

  return (
    <tr data-line={n} data-product-id={line.product_id ?? undefined}>
      <td className="line-name">
        <ProductPicker
          value={line.name}
          label={label('items.product')}
          invalid={!!nameAria['aria-invalid']}
          describedBy={nameAria['aria-describedby']}
          onText={(name) => set(name.trim() ? { name } : { name, product_id: null })}
          onPick={pick}
        />
        {messages('name', 'product_id', '')}
      </td>
      <td>
        <input {...aria('quantity')} className="input input-num" inputMode="decimal" aria-label={label('items.quantity')} value={line.quantity} onChange={(e) => set({ quantity: e.target.value })} />
        {messages('quantity')}
      </td>
      <td>
        <select {...aria('unit_id')} className="input" aria-label={label('items.unit')} value={line.unit_id} onChange={(e) => set({ unit_id: e.target.value })}>
          <option value="">—</option>
          {units.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name}
            </option>
          ))}
        </select>
        {messages('unit_id')}
      </td>
      <td>
        <input
          {...aria('price')}
          className="input input-num"
          inputMode="decimal"
          aria-label={label('items.price')}
          title={line.product_id !== null && !line.price ? t('items.fromCatalog') : undefined}
          placeholder={catalogPrice !== undefined ? minorToMajor(catalogPrice, digits) : undefined}
          value={line.price}
          onChange={(e) => set({ price: e.target.value })}
        />
        {messages('price')}
      </td>
      <td>
        <input {...aria('discount')} className="input input-num" inputMode="decimal" aria-label={label('items.discount')} placeholder="0" value={line.discount} onChange={(e) => set({ discount: e.target.value })} />
        {messages('discount')}
      </td>
      <td>
        <input {...aria('tax')} className="input input-num" inputMode="decimal" aria-label={label('items.tax')} placeholder="0" value={line.tax} onChange={(e) => set({ tax: e.target.value })} />
        {messages('tax')}
      </td>
      <td className="num nowrap" data-cell="net">{money(quoted?.net)}</td>
      <td className="num nowrap" data-cell="tax">{money(quoted?.tax_amount)}</td>
      <td className="num nowrap" data-cell="total">
        <strong>{money(quoted?.total)}</strong>
      </td>
      <td className="col-actions">
        <button type="button" className="btn btn-sm btn-danger-ghost" aria-label={t('items.remove', { n })} onClick={onRemove}>
          ×
        </button>
      </td>
    </tr>
  );
}

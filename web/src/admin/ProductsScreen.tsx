import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { catalog, type PriceList, type Product, type Unit } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { currencyDigits, formatMoney, majorToMinor, minorToMajor } from '../format';
import { t } from '../i18n';
import { messagesFor, splitErrors } from './fieldErrors';

type Editing =
  | { kind: 'product'; item: Product | null }
  | { kind: 'unit'; item: Unit | null }
  | { kind: 'list'; item: PriceList | null }
  | null;
type Deleting = { kind: 'product' | 'unit' | 'list'; id: number; name: string } | null;

/** #/admin/products: the product catalog — products, units of measure and price lists. */
export function ProductsScreen() {
  const toast = useToast();
  const [q, setQ] = useState('');
  const [products, setProducts] = useState<Product[]>([]);
  const [units, setUnits] = useState<Unit[]>([]);
  const [lists, setLists] = useState<PriceList[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Deleting>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('catalog.title'));

  const reload = useCallback(() => {
    Promise.all([catalog.products({ q: q.trim() || undefined, limit: 200 }), catalog.units(), catalog.priceLists()])
      .then(([p, u, l]) => {
        setProducts(p.data);
        setUnits(u);
        setLists(l);
        setLoaded(true);
      })
      .catch(setError);
  }, [q]);
  useEffect(() => {
    const timer = setTimeout(reload, 200);
    return () => clearTimeout(timer);
  }, [reload]);

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      if (deleting.kind === 'product') await catalog.removeProduct(deleting.id);
      else if (deleting.kind === 'unit') await catalog.removeUnit(deleting.id);
      else await catalog.removePriceList(deleting.id);
      toast(t('catalog.deleted'));
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  }

  const done = (saved: boolean) => {
    if (saved) {
      toast(t('catalog.saved'));
      reload();
    }
    setEditing(null);
  };
  const rowActions = (onEdit: () => void, del: NonNullable<Deleting>) => (
    <td className="col-actions nowrap">
      <button type="button" className="btn btn-sm" aria-label={`${t('common.edit')} ${del.name}`} onClick={onEdit}>
        {t('common.edit')}
      </button>{' '}
      <button
        type="button"
        className="btn btn-sm btn-danger-ghost"
        aria-label={`${t('common.delete')} ${del.name}`}
        onClick={() => setDeleting(del)}
      >
        {t('common.delete')}
      </button>
    </td>
  );

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('catalog.title')}</h1>
          <p className="subtitle">{t('catalog.subtitle')}</p>
        </div>
      </header>
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      {editing?.kind === 'product' && <ProductEditor product={editing.item} units={units} onDone={done} />}
      {editing?.kind === 'unit' && <UnitEditor unit={editing.item} onDone={done} />}
      {editing?.kind === 'list' && <PriceListEditor list={editing.item} products={products} onDone={done} />}
      {!loaded ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : (
        <>
          <Section
            title={t('catalog.products')}
            addLabel={t('catalog.addProduct')}
            onAdd={() => setEditing({ kind: 'product', item: null })}
            tools={
              <input
                type="search"
                className="input"
                aria-label={t('catalog.search')}
                placeholder={t('catalog.search')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
              />
            }
            head={[t('field.name'), t('catalog.sku'), t('catalog.unit'), t('catalog.price'), t('catalog.tax'), t('catalog.active')]}
          >
            {products.map((p) => (
              <tr key={p.id} data-product={p.name} className={p.active ? undefined : 'muted'}>
                <td>
                  <strong>{p.name}</strong>
                </td>
                <td>{p.sku ?? ''}</td>
                <td>{p.unit}</td>
                <td className="num">{formatMoney({ amount: p.price, currency: p.currency })}</td>
                <td className="num">{p.tax_rate} %</td>
                <td>{p.active ? t('common.yes') : t('common.no')}</td>
                {rowActions(() => setEditing({ kind: 'product', item: p }), { kind: 'product', id: p.id, name: p.name })}
              </tr>
            ))}
          </Section>
          <Section
            title={t('catalog.units')}
            addLabel={t('catalog.addUnit')}
            onAdd={() => setEditing({ kind: 'unit', item: null })}
            head={[t('field.name'), t('catalog.quantities')]}
          >
            {units.map((u) => (
              <tr key={u.id} data-unit={u.name}>
                <td>
                  <strong>{u.name}</strong>
                </td>
                <td>{u.whole ? t('catalog.whole') : t('catalog.decimal')}</td>
                {rowActions(() => setEditing({ kind: 'unit', item: u }), { kind: 'unit', id: u.id, name: u.name })}
              </tr>
            ))}
          </Section>
          <Section
            title={t('catalog.priceLists')}
            addLabel={t('catalog.addPriceList')}
            onAdd={() => setEditing({ kind: 'list', item: null })}
            head={[t('field.name'), t('catalog.currency'), t('catalog.items'), t('catalog.active')]}
          >
            {lists.map((l) => (
              <tr key={l.id} data-price-list={l.name}>
                <td>
                  <strong>{l.name}</strong>
                </td>
                <td>{l.currency}</td>
                <td className="num">{l.item_count}</td>
                <td>{l.active ? t('common.yes') : t('common.no')}</td>
                {rowActions(
                  () => catalog.priceList(l.id).then((full) => setEditing({ kind: 'list', item: full }), setError),
                  { kind: 'list', id: l.id, name: l.name },
                )}
              </tr>
            ))}
          </Section>
        </>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('catalog.confirmDeleteTitle')}
          message={t('catalog.confirmDelete', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          danger
          busy={busy}
          onConfirm={confirmDelete}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

/** A titled table card with an Add button. */
function Section(props: { title: string; addLabel: string; onAdd: () => void; tools?: ReactNode; head: string[]; children: ReactNode }) {
  return (
    <div className="card table-card">
      <div className="card-toolbar">
        <h2 className="card-title">{props.title}</h2>
        {props.tools}
        <button type="button" className="btn btn-primary btn-sm" onClick={props.onAdd}>
          + {props.addLabel}
        </button>
      </div>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="sr-only">{props.title}</caption>
          <thead>
            <tr>
              {props.head.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
              <th scope="col" className="col-actions">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * The form card every editor shares: a title, field errors from the server,
 * Escape to cancel, Enter to save. `save` throws the server's refusal.
 */
function EditorForm(props: { title: string; fields: string[]; save: () => Promise<unknown>; onDone: (saved: boolean) => void; children: (m: (f: string) => string[]) => ReactNode }) {
  const [errors, setErrors] = useState<ReturnType<typeof splitErrors>['errors']>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setBanner(null);
    try {
      await props.save();
      props.onDone(true);
    } catch (err) {
      const s = splitErrors(err, props.fields);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }
  return (
    <form
      className="card form-card"
      noValidate
      aria-label={props.title}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onDone(false);
        }
      }}
    >
      <h2 className="card-title">{props.title}</h2>
      {banner && <ErrorBanner message={banner} />}
      <div className="form-grid">{props.children((f) => messagesFor(errors, f))}</div>
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => props.onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

/** A text input inside a FormField. */
function TextInput(props: { name: string; label: string; value: string; onChange: (v: string) => void; errors: string[]; required?: boolean; autoFocus?: boolean }) {
  return (
    <FormField name={props.name} label={props.label} required={props.required} errors={props.errors}>
      <input
        {...inputAria(props.name, props.errors.length > 0)}
        name={props.name}
        className="input"
        autoComplete="off"
        autoFocus={props.autoFocus}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FormField>
  );
}

function ActiveCheck({ value, onChange }: { value: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" name="active" checked={value} onChange={(e) => onChange(e.target.checked)} />
      <span>{t('catalog.active')}</span>
    </label>
  );
}

/**
 * Money typed in major units → minor units. Text that is no amount is sent as
 * it is, so the server's refusal shows under the field like any other error.
 */
const toMinor = (text: string, currency: string) => majorToMinor(text, currencyDigits(currency)) ?? text;

function ProductEditor({ product, units, onDone }: { product: Product | null; units: Unit[]; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(product?.name ?? '');
  const [sku, setSku] = useState(product?.sku ?? '');
  const [description, setDescription] = useState(product?.description ?? '');
  const [unitId, setUnitId] = useState(String(product?.unit_id ?? units[0]?.id ?? ''));
  const [currency, setCurrency] = useState(product?.currency ?? 'EUR');
  const [price, setPrice] = useState(product ? minorToMajor(product.price, currencyDigits(product.currency)) : '');
  const [tax, setTax] = useState(product?.tax_rate ?? '0');
  const [active, setActive] = useState(product?.active ?? true);

  const save = () => {
    const body = {
      name: name.trim(),
      sku: sku.trim() || null,
      description: description.trim() || null,
      unit_id: Number(unitId),
      currency: currency.trim().toUpperCase(),
      price: toMinor(price, currency.trim().toUpperCase()) as number,
      tax_rate: tax.trim(),
      active,
    };
    return product ? catalog.updateProduct(product.id, body) : catalog.createProduct(body);
  };
  const fields = ['name', 'sku', 'description', 'unit_id', 'currency', 'price', 'tax_rate', 'active'];
  return (
    <EditorForm title={product ? t('catalog.editTitle', { name: product.name }) : t('catalog.addProduct')} fields={fields} save={save} onDone={onDone}>
      {(m) => (
        <>
          <TextInput name="name" label={t('field.name')} value={name} onChange={setName} errors={m('name')} required autoFocus />
          <TextInput name="sku" label={t('catalog.sku')} value={sku} onChange={setSku} errors={m('sku')} />
          <FormField name="unit_id" label={t('catalog.unit')} required errors={m('unit_id')}>
            <select {...inputAria('unit_id', m('unit_id').length > 0)} name="unit_id" className="input" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
              {units.map((u) => (
                <option key={u.id} value={String(u.id)}>
                  {u.name}
                </option>
              ))}
            </select>
          </FormField>
          <TextInput name="price" label={t('catalog.price')} value={price} onChange={setPrice} errors={m('price')} required />
          <TextInput name="currency" label={t('catalog.currency')} value={currency} onChange={setCurrency} errors={m('currency')} required />
          <TextInput name="tax_rate" label={t('catalog.taxPercent')} value={tax} onChange={setTax} errors={m('tax_rate')} />
          <TextInput name="description" label={t('catalog.description')} value={description} onChange={setDescription} errors={m('description')} />
          <ActiveCheck value={active} onChange={setActive} />
        </>
      )}
    </EditorForm>
  );
}

function UnitEditor({ unit, onDone }: { unit: Unit | null; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(unit?.name ?? '');
  const [whole, setWhole] = useState(unit?.whole ?? true);
  const save = () => {
    const body = { name: name.trim(), whole };
    return unit ? catalog.updateUnit(unit.id, body) : catalog.createUnit(body);
  };
  return (
    <EditorForm title={unit ? t('catalog.editTitle', { name: unit.name }) : t('catalog.addUnit')} fields={['name', 'whole']} save={save} onDone={onDone}>
      {(m) => (
        <>
          <TextInput name="name" label={t('field.name')} value={name} onChange={setName} errors={m('name')} required autoFocus />
          <FormField name="whole" label={t('catalog.quantities')} errors={m('whole')}>
            <select {...inputAria('whole', m('whole').length > 0)} name="whole" className="input" value={whole ? '1' : '0'} onChange={(e) => setWhole(e.target.value === '1')}>
              <option value="1">{t('catalog.whole')}</option>
              <option value="0">{t('catalog.decimal')}</option>
            </select>
          </FormField>
        </>
      )}
    </EditorForm>
  );
}

function PriceListEditor({ list, products, onDone }: { list: PriceList | null; products: Product[]; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(list?.name ?? '');
  const [currency, setCurrency] = useState(list?.currency ?? 'EUR');
  const [active, setActive] = useState(list?.active ?? true);
  const digits = currencyDigits(list?.currency ?? 'EUR');
  const [items, setItems] = useState((list?.items ?? []).map((i) => ({ product_id: String(i.product_id), price: minorToMajor(i.price, digits) })));
  const save = () => {
    const cur = currency.trim().toUpperCase();
    const body = {
      name: name.trim(),
      currency: cur,
      active,
      items: items.filter((i) => i.product_id).map((i) => ({ product_id: Number(i.product_id), price: toMinor(i.price, cur) as number })),
    };
    return list ? catalog.updatePriceList(list.id, body) : catalog.createPriceList(body);
  };
  const setItem = (k: number, patch: Partial<(typeof items)[number]>) => setItems((xs) => xs.map((x, i) => (i === k ? { ...x, ...patch } : x)));
  return (
    <EditorForm title={list ? t('catalog.editTitle', { name: list.name }) : t('catalog.addPriceList')} fields={['name', 'currency', 'active', 'items']} save={save} onDone={onDone}>
      {(m) => (
        <>
          <TextInput name="name" label={t('field.name')} value={name} onChange={setName} errors={m('name')} required autoFocus />
          <TextInput name="currency" label={t('catalog.currency')} value={currency} onChange={setCurrency} errors={m('currency')} required />
          <ActiveCheck value={active} onChange={setActive} />
          <FormField name="items" label={t('catalog.items')} errors={m('items')} group wide>
            <div className="price-list-items">
              {items.map((it, k) => (
                <div className="row-inline" key={k}>
                  <select
                    className="input"
                    aria-label={`${t('catalog.product')} ${k + 1}`}
                    aria-invalid={m(`items[${k}]`).length > 0 || undefined}
                    value={it.product_id}
                    onChange={(e) => setItem(k, { product_id: e.target.value })}
                  >
                    <option value="">—</option>
                    {products.map((p) => (
                      <option key={p.id} value={String(p.id)}>
                        {p.name}
                        {p.sku ? ` (${p.sku})` : ''}
                      </option>
                    ))}
                  </select>
                  <input
                    className="input"
                    aria-label={`${t('catalog.price')} ${k + 1}`}
                    value={it.price}
                    onChange={(e) => setItem(k, { price: e.target.value })}
                  />
                  <button type="button" className="btn btn-sm btn-danger-ghost" aria-label={`${t('common.delete')} ${k + 1}`} onClick={() => setItems((xs) => xs.filter((_, i) => i !== k))}>
                    ×
                  </button>
                  {m(`items[${k}]`).map((msg) => (
                    <span className="field-error" key={msg}>
                      {msg}
                    </span>
                  ))}
                </div>
              ))}
              <button type="button" className="btn btn-sm" onClick={() => setItems((xs) => [...xs, { product_id: '', price: '' }])}>
                + {t('catalog.addItem')}
              </button>
            </div>
          </FormField>
        </>
      )}
    </EditorForm>
  );
}

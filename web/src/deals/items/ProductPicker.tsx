import { useEffect, useId, useRef, useState } from 'react';
import { catalog, type Product } from '../../api';
import { useDebounced } from '../../common/hooks';
import { PickerList, pickerOptionId } from '../../common/PickerList';
import { formatMoney } from '../../format';
import { t } from '../../i18n';

interface Props {
  /** The line's name: a product's, or free text. */
  value: string;
  label: string;
  invalid?: boolean;
  describedBy?: string;
  onText: (name: string) => void;
  onPick: (p: Product) => void;
}

/** A line's name: typing searches the active products (↑ ↓ Enter to pick one); any other text is a free line. */
export function ProductPicker({ value, label, invalid, describedBy, onText, onPick }: Props) {
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Product[]>([]);
  const [active, setActive] = useState(0);
  const q = useDebounced(value.trim(), 150);
  const listId = useId();
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    catalog
      .products({ q: q || undefined, active: 'true', limit: 8 }, ctl.signal)
      .then((p) => {
        setOptions(p.data);
        setActive(0);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [q, open]);

  function pick(p: Product) {
    onPick(p);
    setOpen(false);
  }

  const showing = open && options.length > 0;
  return (
    <div className="picker" ref={boxRef} onBlur={(e) => !boxRef.current?.contains(e.relatedTarget as Node) && setOpen(false)}>
      <input
        className="input"
        role="combobox"
        aria-label={label}
        aria-expanded={showing}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-activedescendant={showing && options[active] ? pickerOptionId(listId, active) : undefined}
        autoComplete="off"
        placeholder={t('items.searchProduct')}
        value={value}
        onChange={(e) => {
          onText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            if (!open) setOpen(true);
            else setActive((a) => Math.min(a + 1, options.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && showing && options[active]) {
            e.preventDefault();
            pick(options[active]);
          } else if (e.key === 'Escape' && showing) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {showing && (
        <PickerList
          id={listId}
          label={label}
          options={options}
          active={active}
          keyOf={(p) => p.id}
          onActive={setActive}
          onPick={pick}
          render={(p) => (
            <>
              <span>{p.name}</span>
              <span className="muted">
                {p.sku ? ` · ${p.sku}` : ''} · {formatMoney({ amount: p.price, currency: p.currency })} / {p.unit}
              </span>
            </>
          )}
        />
      )}
    </div>
  );
}

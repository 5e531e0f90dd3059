import type { ReactNode } from 'react';

/** The id of option i of the listbox listId, for the combobox's aria-activedescendant. */
export const pickerOptionId = (listId: string, i: number) => `${listId}-${i}`;

interface Props<T> {
  /** The listbox's id (the combobox's aria-controls). */
  id: string;
  options: T[];
  /** The option the keyboard is on. */
  active: number;
  label?: string;
  keyOf: (o: T) => number;
  /** What an option shows: its name, then hints in a muted span. */
  render: (o: T) => ReactNode;
  onActive: (i: number) => void;
  onPick: (o: T) => void;
}

/**
 * The choices under a picker's combobox (RecordPicker, ProductPicker, ContactsPicker): a listbox
 * whose options follow the mouse and are picked on mouse down, before the input's blur closes it.
 */
export function PickerList<T>({ id, options, active, label, keyOf, render, onActive, onPick }: Props<T>) {
  return (
    <ul className="picker-list" role="listbox" id={id} aria-label={label}>
      {options.map((o, i) => (
        <li
          key={keyOf(o)}
          id={pickerOptionId(id, i)}
          role="option"
          aria-selected={i === active}
          className={i === active ? 'active' : undefined}
          onMouseEnter={() => onActive(i)}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(o);
          }}
        >
          {render(o)}
        </li>
      ))}
    </ul>
  );
}

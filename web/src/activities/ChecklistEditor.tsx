import { useRef, type KeyboardEvent } from 'react';
import type { ChecklistItem } from '../api';
import { t } from '../i18n';

interface Props {
  id: string;
  items: ChecklistItem[];
  /** The server's messages by item ("checklist[2].text"). */
  errorsAt: (i: number) => string[];
  onChange: (items: ChecklistItem[]) => void;
}

/**
 * A task's checklist: tick, edit, add, remove, and reorder. In an item's text, Alt+↑ and Alt+↓
 * move it, Enter adds an item below; the buttons do the same for the mouse.
 */
export function ChecklistEditor({ id, items, errorsAt, onChange }: Props) {
  const list = useRef<HTMLOListElement>(null);
  const focusText = (i: number) =>
    window.setTimeout(() => list.current?.querySelectorAll<HTMLInputElement>('input[type="text"]')[i]?.focus(), 0);

  const set = (i: number, patch: Partial<ChecklistItem>) => onChange(items.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  function move(i: number, by: number) {
    const j = i + by;
    if (j < 0 || j >= items.length) return;
    const next = [...items];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
    focusText(j);
  }
  function add(at: number) {
    const next = [...items];
    next.splice(at, 0, { text: '', done: false });
    onChange(next);
    focusText(at);
  }
  function remove(i: number) {
    onChange(items.filter((_, j) => j !== i));
    focusText(Math.max(0, i - 1));
  }
  function onKey(e: KeyboardEvent<HTMLInputElement>, i: number) {
    if (e.altKey && e.key === 'ArrowUp') {
      e.preventDefault();
      move(i, -1);
    } else if (e.altKey && e.key === 'ArrowDown') {
      e.preventDefault();
      move(i, 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      add(i + 1);
    } else if (e.key === 'Backspace' && items[i].text === '' && items.length > 0) {
      e.preventDefault();
      remove(i);
    }
  }

  return (
    <div className="checklist-editor" id={id}>
      <ol className="checklist" ref={list}>
        {items.map((x, i) => {
          const errs = errorsAt(i);
          const n = i + 1;
          return (
            <li key={i} className={x.done ? 'checklist-item done' : 'checklist-item'}>
              <div className="list-row">
                <input
                  type="checkbox"
                  checked={x.done}
                  aria-label={t('checklist.done', { n })}
                  onChange={(e) => set(i, { done: e.target.checked })}
                />
                <input
                  type="text"
                  className="input"
                  value={x.text}
                  aria-label={t('checklist.item', { n })}
                  aria-invalid={errs.length ? true : undefined}
                  aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
                  maxLength={500}
                  onChange={(e) => set(i, { text: e.target.value })}
                  onKeyDown={(e) => onKey(e, i)}
                />
                <button type="button" className="icon-btn" disabled={i === 0} aria-label={t('checklist.up', { n })} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" className="icon-btn" disabled={i === items.length - 1} aria-label={t('checklist.down', { n })} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" className="icon-btn" aria-label={t('checklist.remove', { n })} onClick={() => remove(i)}>
                  ×
                </button>
              </div>
              {errs.length > 0 && <div className="field-error">{errs.join('; ')}</div>}
            </li>
          );
        })}
      </ol>
      <button type="button" className="btn btn-link btn-sm" onClick={() => add(items.length)}>
        + {t('checklist.add')}
      </button>
      <div className="field-hint">{t('checklist.hint')}</div>
    </div>
  );
}

import { useEffect, useId, useRef, useState } from 'react';
import { search, type SearchHit } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { useDebounced } from './hooks';

const ENTITY_OF: Record<string, string> = { company: 'companies', contact: 'contacts', deal: 'deals' };

function hitPath(h: SearchHit): string {
  return `/${ENTITY_OF[h.type] ?? `${h.type}s`}/${h.id}`;
}

function typeLabel(type: string): string {
  if (type === 'company') return t('search.type.company');
  if (type === 'contact') return t('search.type.contact');
  if (type === 'deal') return t('search.type.deal');
  return type;
}

/** The top bar search: as you type (150 ms debounce), a dropdown navigable with ↑ ↓ Enter Esc. */
export function GlobalSearch() {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [loading, setLoading] = useState(false);
  const [doneFor, setDoneFor] = useState('');
  const [active, setActive] = useState(-1);
  const q = useDebounced(text.trim(), 150);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  // Enter pressed before the results for the typed text arrived: open the first one when they do.
  const pendingEnter = useRef(false);

  useEffect(() => {
    if (!q) {
      setHits([]);
      setDoneFor('');
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    search(q, ctl.signal, 12)
      .then((data) => {
        if (pendingEnter.current) {
          pendingEnter.current = false;
          if (data.length) {
            go(data[0]);
            return;
          }
        }
        setHits(data);
        setActive(data.length ? 0 : -1);
        setDoneFor(q);
        setLoading(false);
      })
      .catch((e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setHits([]);
        setDoneFor(q);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [q]);

  // "/" focuses the search from anywhere (unless typing in a field).
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && !el.isContentEditable) {
        e.preventDefault();
        inputRef.current?.focus();
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);

  function go(h: SearchHit) {
    setOpen(false);
    setText('');
    inputRef.current?.blur();
    navigate(hitPath(h));
  }

  const showDropdown = open && text.trim() !== '';
  const stale = text.trim() !== doneFor;

  return (
    <div
      className="global-search"
      ref={boxRef}
      onBlur={(e) => {
        if (!boxRef.current?.contains(e.relatedTarget as Node)) setOpen(false);
      }}
    >
      <svg className="search-icon" viewBox="0 0 20 20" aria-hidden="true">
        <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M13 13l4 4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label={t('search.label')}
        aria-expanded={showDropdown}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showDropdown && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={t('search.placeholder')}
        value={text}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          pendingEnter.current = false;
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            if (hits.length) setActive((a) => (a + 1) % hits.length);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            if (hits.length) setActive((a) => (a <= 0 ? hits.length - 1 : a - 1));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const h = hits[active];
            if (stale) pendingEnter.current = text.trim() !== '';
            else if (h) go(h);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            pendingEnter.current = false;
            if (showDropdown) setOpen(false);
            else {
              setText('');
              inputRef.current?.blur();
            }
          }
        }}
      />
      <kbd className="search-kbd" aria-hidden="true">/</kbd>
      {showDropdown && (
        <div className="search-dropdown">
          <ul id={listId} role="listbox" aria-label={t('search.label')} className="search-results">
            {hits.map((h, i) => (
              <li
                key={`${h.type}-${h.id}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'search-hit active' : 'search-hit'}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  go(h);
                }}
              >
                <span className={`hit-avatar hit-${h.type}`} aria-hidden="true">
                  {(h.title || '?').trim().charAt(0).toUpperCase()}
                </span>
                <span className="hit-text">
                  <span className="hit-title">{h.title}</span>
                  {h.subtitle && <span className="hit-subtitle">{h.subtitle}</span>}
                </span>
                <span className="hit-type">{typeLabel(h.type)}</span>
              </li>
            ))}
          </ul>
          {(loading || stale) && hits.length === 0 && <div className="search-status">{t('search.searching')}</div>}
          {!loading && !stale && hits.length === 0 && (
            <div className="search-status">{t('search.noResults', { q: doneFor })}</div>
          )}
          {hits.length > 0 && <div className="search-footer">{t('search.hint')}</div>}
        </div>
      )}
    </div>
  );
}

// Hash routing: #/contacts, #/contacts/12, #/contacts/12/edit, #/companies/new,
// #/contacts/trash, #/settings/custom-fields. Query parameters after "?" keep list state.
import { useEffect, useState } from 'react';

export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const qi = raw.indexOf('?');
  const pathPart = qi >= 0 ? raw.slice(0, qi) : raw;
  const query = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
  const path = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { path, query };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function href(path: string, query?: Record<string, string>): string {
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString() : '';
  return `#${path}${q ? `?${q}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string>): void {
  window.location.hash = href(path, query);
}

/** Updates the query part of the URL without a new history entry or a re-route. */
export function replaceQuery(query: Record<string, string>): void {
  const { path } = parseHash(window.location.hash);
  const url = `${window.location.pathname}${window.location.search}${href(`/${path.join('/')}`, query)}`;
  window.history.replaceState(window.history.state, '', url);
}

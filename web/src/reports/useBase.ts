import { useEffect, useState } from 'react';
import { sales } from '../api';

/** The base currency's code (the reports' money is in it), '' until known. */
export function useBaseCurrency(): string {
  const [base, setBase] = useState('');
  useEffect(() => {
    let live = true;
    sales
      .currencies()
      .then((c) => live && setBase(c.base))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return base;
}

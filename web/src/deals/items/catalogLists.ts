import { useEffect, useState } from 'react';
import { catalog, type PriceList, type Unit } from '../../api';

/** The units of measure and price lists a deal's lines choose from (loaded once per form). */
export function useCatalogLists(): { units: Unit[]; priceLists: PriceList[] } {
  const [v, setV] = useState<{ units: Unit[]; priceLists: PriceList[] }>({ units: [], priceLists: [] });
  useEffect(() => {
    let live = true;
    Promise.all([catalog.units(), catalog.priceLists()])
      .then(([units, priceLists]) => live && setV({ units, priceLists }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return v;
}

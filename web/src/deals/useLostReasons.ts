import { useEffect, useState } from 'react';
import { sales, type LostReason } from '../api';

/** The lost reasons (active and retired: old deals keep theirs); null while loading. */
export function useLostReasons(): LostReason[] | null {
  const [list, setList] = useState<LostReason[] | null>(null);
  useEffect(() => {
    let live = true;
    sales
      .lostReasons()
      .then((r) => live && setList(r))
      .catch(() => live && setList([]));
    return () => {
      live = false;
    };
  }, []);
  return list;
}

import { useEffect, useState } from 'react';
import { departments, type Department } from '../api';

/** The department tree for the filter (empty when it cannot be read: the filter is then left out). */
export function useDepartments(): Department[] {
  const [list, setList] = useState<Department[]>([]);
  useEffect(() => {
    let live = true;
    departments
      .list()
      .then((d) => live && setList(d))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return list;
}

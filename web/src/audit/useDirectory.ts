// The user directory and departments, for names in audit entries (every signed-in user may read both).
import { useEffect, useState } from 'react';
import { departments, users, type Department, type User } from '../api';
import type { Directory } from './describe';

export function useDirectory(): Directory {
  const [list, setList] = useState<User[]>([]);
  const [depts, setDepts] = useState<Department[]>([]);
  useEffect(() => {
    let live = true;
    // Names are a convenience: without them the log's emails and ids still show.
    users
      .list()
      .then((u) => live && setList(u))
      .catch(() => {});
    departments
      .list()
      .then((d) => live && setDepts(d))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return { users: list, depts };
}

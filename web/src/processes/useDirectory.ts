// What the side panel offers in its pickers: people (users, roles), the entity's fields (built-in
// and custom), deal stages and the other templates. Loaded once per editor; a failed part is left
// empty (the server still checks every reference on validate and save).
import { useEffect, useState } from 'react';
import { customFields, processes, roles as rolesApi, salesAdmin, staff, type Pipeline, type ProcessTemplateSummary, type Role, type User } from '../api';

/** The built-in fields a process may name, per entity (core/*.c field tables). */
export const BUILTIN_FIELDS: Record<string, string[]> = {
  deals: ['title', 'amount', 'currency', 'stage_id', 'company_id', 'expected_close', 'source', 'notes', 'owner_id', 'created_at', 'updated_at'],
  companies: ['name', 'legal_name', 'tax_id', 'website', 'address', 'industry', 'source', 'notes', 'owner_id', 'created_at', 'updated_at'],
  contacts: ['first_name', 'last_name', 'middle_name', 'position', 'company_id', 'address', 'birthday', 'source', 'notes', 'owner_id', 'created_at', 'updated_at'],
  activities: ['subject', 'body', 'status', 'priority', 'due_at', 'start_at', 'end_at', 'company_id', 'contact_id', 'deal_id', 'owner_id', 'created_at', 'updated_at'],
};

export interface Directory {
  users: User[];
  roles: Role[];
  pipelines: Pipeline[];
  templates: ProcessTemplateSummary[];
  /** Custom fields per entity as `custom.<name>`. */
  custom: Record<string, string[]>;
}

const EMPTY: Directory = { users: [], roles: [], pipelines: [], templates: [], custom: {} };

export function useDirectory(): Directory {
  const [dir, setDir] = useState<Directory>(EMPTY);
  useEffect(() => {
    let live = true;
    const soft = <T,>(p: Promise<T>, d: T) => p.catch(() => d);
    Promise.all([
      soft(staff.list(), [] as User[]),
      soft(rolesApi.list().then((r) => r.data), [] as Role[]),
      soft(salesAdmin.pipelines(), [] as Pipeline[]),
      soft(processes.list('active'), [] as ProcessTemplateSummary[]),
      ...(['deals', 'companies', 'contacts'] as const).map((e) => soft(customFields.list(e).then((l) => l.map((f) => `custom.${f.name}`)), [] as string[])),
    ]).then(([users, roles, pipelines, templates, cd, cc, ct]) => {
      if (live) setDir({ users, roles, pipelines, templates, custom: { deals: cd, companies: cc, contacts: ct, activities: [] } } as Directory);
    });
    return () => {
      live = false;
    };
  }, []);
  return dir;
}

export const fieldsOf = (dir: Directory, entity: string): string[] => [...(BUILTIN_FIELDS[entity] ?? []), ...(dir.custom[entity] ?? [])];

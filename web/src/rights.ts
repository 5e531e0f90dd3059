// What the signed-in user's role lets them do, from /auth/me (rights and field rules).
// The UI only hides what cannot be used; the server decides every request anyway.
import { currentUser, type Action, type EntityName, type Scope } from './api';

/** The entities with rights of their own: the records, activities and tickets (which have no custom fields or list config). */
export type RightsEntity = EntityName | 'activities' | 'tickets';

/** The scope the role gives for action on entity ("all" for administrators). */
export function scopeOf(entity: RightsEntity, action: Action): Scope {
  const me = currentUser();
  if (!me) return 'none';
  if (me.is_admin) return 'all';
  // An older server without rights in /auth/me: show everything, the server still refuses.
  if (!me.rights) return 'all';
  return me.rights[entity]?.[action] ?? 'none';
}

/** May the user do action on some record of entity (a scope other than none)? */
export function can(entity: RightsEntity, action: Action): boolean {
  return scopeOf(entity, action) !== 'none';
}

export type Rule = 'visible' | 'hidden' | 'readonly';

/** The rule for one field ("phones", "company_id", "custom.segment"). */
export function fieldRule(entity: RightsEntity, field: string): Rule {
  const me = currentUser();
  if (!me || me.is_admin) return 'visible';
  return me.fields?.[entity]?.[field] ?? 'visible';
}

export const isHidden = (entity: RightsEntity, field: string) => fieldRule(entity, field) === 'hidden';
export const isReadonly = (entity: RightsEntity, field: string) => fieldRule(entity, field) === 'readonly';

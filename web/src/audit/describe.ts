// Audit entries in words: who did it, what they did, and the values they changed.
// Shared by a record's History tab and the administrator's audit screen.
import type { AuditEntry, CustomFieldDef, CustomValue, Department, EntityName, User } from '../api';
import { formatCustom } from '../common/customValues';
import type { FieldSpec } from '../common/entity';
import { companyConfig } from '../companies/config';
import { contactConfig } from '../contacts/config';
import { dealConfig } from '../deals/config';
import { t, type Key } from '../i18n';

/** The user directory and departments, for names instead of ids. */
export interface Directory {
  users: User[];
  depts: Department[];
}

/** Every action the server logs, with its label on the audit screen. */
const ACTION_LABELS: Record<string, Key> = {
  'alert.mass_reads': 'audit.act.alert.massReads',
  'record.create': 'audit.act.record.create',
  'record.update': 'audit.act.record.update',
  'record.delete': 'audit.act.record.delete',
  'record.restore': 'audit.act.record.restore',
  'record.transfer': 'audit.act.record.transfer',
  'record.share': 'audit.act.record.share',
  'record.unshare': 'audit.act.record.unshare',
  'bulk.transfer': 'audit.act.bulk.transfer',
  'auth.login': 'audit.act.auth.login',
  'auth.login_failed': 'audit.act.auth.login_failed',
  'auth.logout': 'audit.act.auth.logout',
  'auth.session_ended': 'audit.act.auth.session_ended',
  'user.create': 'audit.act.user.create',
  'user.update': 'audit.act.user.update',
  'user.enable': 'audit.act.user.enable',
  'user.disable': 'audit.act.user.disable',
  'user.password_set': 'audit.act.user.password_set',
  'role.create': 'audit.act.role.create',
  'role.update': 'audit.act.role.update',
  'role.delete': 'audit.act.role.delete',
  'department.create': 'audit.act.department.create',
  'department.update': 'audit.act.department.update',
  'department.delete': 'audit.act.department.delete',
  'token.create': 'audit.act.token.create',
  'token.revoke': 'audit.act.token.revoke',
  '2fa.totp_enabled': 'audit.act.2fa.totp_enabled',
  '2fa.totp_disabled': 'audit.act.2fa.totp_disabled',
  '2fa.recovery_regenerated': 'audit.act.2fa.recovery_regenerated',
  '2fa.reset': 'audit.act.2fa.reset',
  '2fa.key_added': 'audit.act.2fa.key_added',
  '2fa.key_removed': 'audit.act.2fa.key_removed',
  'setting.custom_field_created': 'audit.act.setting.custom_field_created',
  'setting.custom_field_changed': 'audit.act.setting.custom_field_changed',
  'setting.custom_field_deleted': 'audit.act.setting.custom_field_deleted',
  'system.state': 'audit.act.system.state',
  'audit.export': 'audit.act.audit.export',
  'companies.export': 'audit.act.list.export',
  'contacts.export': 'audit.act.list.export',
  'deals.export': 'audit.act.list.export',
  'activities.export': 'audit.act.list.export',
  'audit.archive': 'audit.act.audit.archive',
};

/** The action families the audit screen filters by (the API's "record." prefix form). */
export const ACTION_FAMILIES: { value: string; label: Key }[] = [
  { value: 'record.', label: 'audit.family.record' },
  { value: 'bulk.', label: 'audit.family.bulk' },
  { value: 'auth.', label: 'audit.family.auth' },
  { value: 'user.', label: 'audit.family.user' },
  { value: 'role.', label: 'audit.family.role' },
  { value: 'department.', label: 'audit.family.department' },
  { value: 'token.', label: 'audit.family.token' },
  { value: '2fa.', label: 'audit.family.2fa' },
  { value: 'setting.', label: 'audit.family.setting' },
  { value: 'system.', label: 'audit.family.system' },
  { value: 'audit.', label: 'audit.family.audit' },
  { value: 'alert.', label: 'audit.family.alert' },
  { value: 'backup.', label: 'audit.family.backup' },
];

/** What the entries are about, for the audit screen's filter. */
export const AUDIT_ENTITIES: { value: string; label: Key }[] = [
  { value: 'companies', label: 'entity.companies' },
  { value: 'contacts', label: 'entity.contacts' },
  { value: 'users', label: 'nav.users' },
  { value: 'roles', label: 'nav.roles' },
  { value: 'departments', label: 'nav.departments' },
  { value: 'custom_fields', label: 'nav.customFields' },
];

/** "Record changed"; an action this UI does not know yet shows as its code. */
export function actionLabel(action: string): string {
  const k = ACTION_LABELS[action];
  return k ? t(k) : action;
}

export function userName(dir: Directory, id: unknown): string {
  if (typeof id !== 'number') return t('record.none');
  const u = dir.users.find((x) => x.id === id);
  return u ? u.name || u.email : `#${id}`;
}

/** Who made the entry: their name from the directory, else the email kept in the log. */
export function actorName(dir: Directory, e: AuditEntry): string {
  const u = e.actor_id !== null ? dir.users.find((x) => x.id === e.actor_id) : undefined;
  if (u) return u.name || u.email;
  return e.actor_email ?? t('history.system');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** detail.changes of an update or transfer: [field, old, new] in the server's order. */
export function changesOf(e: AuditEntry): [string, unknown, unknown][] {
  const c = e.detail?.changes;
  if (!isRecord(c)) return [];
  return Object.entries(c)
    .filter((x): x is [string, unknown[]] => Array.isArray(x[1]) && x[1].length === 2)
    .map(([k, [a, b]]) => [k, a, b]);
}

/** The History tab's wording: "created", "changed", "gave to Ann Lee", "shared with Sales". */
export function historyText(dir: Directory, e: AuditEntry): string {
  switch (e.action) {
    case 'record.create':
      return t('history.did.create');
    case 'record.update':
      return t('history.did.update');
    case 'record.delete':
      return t('history.did.delete');
    case 'record.restore':
      return t('history.did.restore');
    case 'record.transfer': {
      const owner = changesOf(e).find(([k]) => k === 'owner_id');
      return t('history.did.transfer', { user: userName(dir, owner ? owner[2] : null) });
    }
    case 'record.share': {
      const d = e.detail ?? {};
      let who = t('record.none');
      if (typeof d.user_id === 'number') who = userName(dir, d.user_id);
      else if (typeof d.department_id === 'number') {
        const dept = dir.depts.find((x) => x.id === d.department_id);
        who = dept ? dept.name : `#${d.department_id}`;
      }
      const access = d.access === 'write' ? t('sharing.write') : d.access === 'read' ? t('sharing.read') : '';
      return t('history.did.share', { who }) + (access ? ` (${access.toLowerCase()})` : '');
    }
    case 'record.unshare':
      return t('history.did.unshare');
    default:
      return actionLabel(e.action);
  }
}

/** Field labels of an entity: built-in fields by their form label, custom ones by their definition. */
export function fieldLabeler(entity: string | null, defs: CustomFieldDef[]): (field: string) => string {
  const specs: FieldSpec[] =
    entity === 'companies'
      ? companyConfig.fields
      : entity === 'contacts'
        ? contactConfig.fields
        : entity === 'deals'
          ? dealConfig.fields
          : [];
  return (field) => {
    if (field.startsWith('custom.')) {
      const d = defs.find((x) => x.name === field.slice(7) && (!entity || x.entity === entity));
      return d ? d.label : field.slice(7);
    }
    if (field === 'owner_id') return t('field.owner');
    if (field === 'company_id') return t('field.company');
    const s = specs.find((x) => x.name === field);
    return s ? t(s.label) : field;
  };
}

/** A value as a person reads it: names for people, formatted custom values, lists joined. */
export function valueText(dir: Directory, defs: CustomFieldDef[], entity: string | null, field: string, v: unknown): string {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return '';
  if (field === 'owner_id' || field === 'created_by' || field === 'updated_by') return userName(dir, v);
  if (field === 'company_id' && typeof v === 'number') return `#${v}`;
  if (field.startsWith('custom.')) {
    const d = defs.find((x) => x.name === field.slice(7) && (!entity || x.entity === (entity as EntityName)));
    if (d) return formatCustom(d, v as CustomValue);
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Long values are cut for the table; the whole value goes into the cell's title. */
export function clip(s: string, max = 80): { text: string; title?: string } {
  return s.length > max ? { text: `${s.slice(0, max - 1)}…`, title: s } : { text: s };
}

/** The name a created record had ("Acme Ltd", "Grace Hopper"), when the entry carries it. */
function createdName(e: AuditEntry): string {
  const d = e.detail ?? {};
  if (typeof d.name === 'string') return d.name;
  return [d.first_name, d.last_name].filter((x) => typeof x === 'string' && x).join(' ');
}

/** One line about an entry for the audit screen's table. */
export function summaryText(dir: Directory, defs: CustomFieldDef[], e: AuditEntry): string {
  const d = e.detail ?? {};
  const changes = changesOf(e);
  if (changes.length) {
    const label = fieldLabeler(e.entity, defs);
    return changes
      .map(([k, a, b]) => {
        const from = valueText(dir, defs, e.entity, k, a) || t('record.none');
        const to = valueText(dir, defs, e.entity, k, b) || t('record.none');
        return `${label(k)}: ${from} → ${to}`;
      })
      .join('; ');
  }
  switch (e.action) {
    case 'record.create':
      return createdName(e);
    case 'record.share':
    case 'record.transfer':
      return historyText(dir, e);
    case 'bulk.transfer':
      return t('audit.moved', { n: typeof d.moved === 'number' ? d.moved : 0 });
    case 'audit.export':
    case 'companies.export':
    case 'contacts.export':
    case 'deals.export':
    case 'activities.export':
      return t('audit.exportedRows', { n: typeof d.rows === 'number' ? d.rows : 0 });
    case 'audit.archive':
      return typeof d.first_id === 'number' && typeof d.last_id === 'number'
        ? t('audit.archivedEntries', { n: d.last_id - d.first_id + 1 })
        : '';
    default:
      break;
  }
  return Object.entries(d)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

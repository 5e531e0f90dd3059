// The fields the designer offers, named as the report language names them (docs/reports.md
// "Fields"): the base entity's own, its custom fields, and the joined entities' fields, minus
// what the viewer's role hides. The server checks every name again.
import type { CustomFieldDef } from '../../api';
import { t, type Key } from '../../i18n';
import { isHidden, type RightsEntity } from '../../rights';
import type { ReportEntity } from '../reportsApi';

/** What a field holds, for the operators, buckets and aggregates it allows. */
export type Kind = 'text' | 'int' | 'date' | 'time' | 'id' | 'list';

export interface Field {
  name: string;
  label: string;
  kind: Kind;
}

const COMMON: [string, Kind][] = [
  ['id', 'id'],
  ['owner_id', 'id'],
  ['created_at', 'time'],
  ['updated_at', 'time'],
  ['created_by', 'id'],
  ['updated_by', 'id'],
];

const OWN: Record<ReportEntity, [string, Kind][]> = {
  companies: [['name', 'text'], ['legal_name', 'text'], ['tax_id', 'text'], ['website', 'text'], ['emails', 'list'], ['phones', 'list'], ['address', 'text'], ['industry', 'text'], ['source', 'text']],
  contacts: [['first_name', 'text'], ['last_name', 'text'], ['middle_name', 'text'], ['position', 'text'], ['emails', 'list'], ['phones', 'list'], ['company_id', 'id'], ['address', 'text'], ['birthday', 'date'], ['source', 'text']],
  deals: [
    ['title', 'text'], ['pipeline_id', 'id'], ['stage_id', 'id'], ['status', 'text'], ['amount', 'int'], ['currency', 'text'], ['amount_base', 'int'],
    ['company_id', 'id'], ['expected_close', 'date'], ['source', 'text'], ['lost_reason_id', 'id'], ['closed_at', 'time'], ['stage_entered_at', 'time'],
    ['stage_due_at', 'time'], ['items_count', 'int'],
  ],
  activities: [
    ['kind', 'text'], ['subject', 'text'], ['status', 'text'], ['priority', 'text'], ['due_at', 'time'], ['start_at', 'time'], ['end_at', 'time'], ['done_at', 'time'],
    ['company_id', 'id'], ['contact_id', 'id'], ['deal_id', 'id'], ['direction', 'text'], ['phone', 'text'], ['duration_s', 'int'], ['result', 'text'],
    ['place', 'text'], ['estimate_min', 'int'], ['spent_min', 'int'],
  ],
};

/** The joins each entity allows, and the record entity a join reads (whose hidden fields apply). */
export const JOINS: Record<ReportEntity, string[]> = {
  companies: ['owner'],
  contacts: ['company', 'owner'],
  deals: ['company', 'owner', 'stage', 'pipeline', 'lost_reason'],
  activities: ['company', 'contact', 'deal', 'owner'],
};
const JOIN_ENTITY: Record<string, ReportEntity> = { company: 'companies', contact: 'contacts', deal: 'deals' };
const JOIN_FIELDS: Record<string, [string, Kind][]> = {
  owner: [['id', 'id'], ['name', 'text'], ['department_id', 'id'], ['department', 'text']],
  stage: [['id', 'id'], ['name', 'text'], ['position', 'int'], ['probability', 'int'], ['kind', 'text']],
  pipeline: [['id', 'id'], ['name', 'text']],
  lost_reason: [['id', 'id'], ['name', 'text']],
};

const CUSTOM_KIND: Partial<Record<CustomFieldDef['type'], Kind>> = {
  integer: 'int', money: 'int', date: 'date', text: 'text', choice: 'text', email: 'text', phone: 'text', url: 'text', decimal: 'text', percent: 'text', datetime: 'text',
};

function label(name: string): string {
  const key = `field.${name}` as Key;
  const s = t(key);
  if (s !== key) return s;
  const words = name.replace(/_id$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function own(entity: ReportEntity): [string, Kind][] {
  return [...OWN[entity], ...COMMON];
}

/** The fields of a description with these joins, in the order offered. */
export function fieldsOf(entity: ReportEntity, joins: string[], custom: CustomFieldDef[]): Field[] {
  const out: Field[] = [];
  const hidden = (e: RightsEntity, f: string) => isHidden(e, f);
  for (const [name, kind] of own(entity)) if (!hidden(entity, name)) out.push({ name, label: label(name), kind });
  for (const c of custom) {
    const kind = CUSTOM_KIND[c.type];
    if (kind && !hidden(entity, `custom.${c.name}`)) out.push({ name: `custom.${c.name}`, label: c.label, kind });
  }
  for (const j of joins) {
    const je = JOIN_ENTITY[j];
    const list = je ? own(je).filter(([, k]) => k !== 'list') : (JOIN_FIELDS[j] ?? []);
    for (const [name, kind] of list) {
      if (je && hidden(je, name)) continue;
      out.push({ name: `${j}.${name}`, label: `${t(`rw.join.${j}` as Key)}: ${label(name)}`, kind });
    }
  }
  return out;
}

export const kindOf = (fields: Field[], name: string): Kind | undefined => fields.find((f) => f.name === name)?.kind;

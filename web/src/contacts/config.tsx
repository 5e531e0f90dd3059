import type { Contact } from '../api';
import type { EntityConfig } from '../common/entity';
import { Tags } from '../common/Tags';
import { formatDateTime } from '../format';
import { t } from '../i18n';

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/** "Grace Hopper", but family name first for Japanese, Chinese and Korean names ("山田 太郎"). */
export function contactName(r: Pick<Contact, 'first_name' | 'middle_name' | 'last_name'>): string {
  const parts = CJK.test(`${r.last_name ?? ''}${r.first_name ?? ''}`)
    ? [r.last_name, r.first_name, r.middle_name]
    : [r.first_name, r.middle_name, r.last_name];
  return parts.filter(Boolean).join(' ') || t('contacts.noName');
}

export const contactConfig: EntityConfig<Contact> = {
  entity: 'contacts',
  fields: [
    { name: 'first_name', kind: 'text', label: 'field.first_name', autoComplete: 'off' },
    { name: 'last_name', kind: 'text', label: 'field.last_name', autoComplete: 'off' },
    { name: 'middle_name', kind: 'text', label: 'field.middle_name' },
    { name: 'position', kind: 'text', label: 'field.position' },
    { name: 'company_id', kind: 'company', label: 'field.company' },
    { name: 'source', kind: 'text', label: 'field.source' },
    { name: 'emails', kind: 'emails', label: 'field.emails' },
    { name: 'phones', kind: 'phones', label: 'field.phones' },
    { name: 'birthday', kind: 'date', label: 'field.birthday' },
    { name: 'owner_id', kind: 'owner', label: 'field.owner' },
    { name: 'address', kind: 'text', label: 'field.address', wide: true },
    { name: 'tags', kind: 'tags', label: 'field.tags' },
    { name: 'notes', kind: 'textarea', label: 'field.notes' },
  ],
  columns: [
    { key: 'last_name', label: 'field.name', sort: 'last_name', export: ['first_name', 'last_name'], render: (r) => <strong>{contactName(r)}</strong>, className: 'nowrap' },
    { key: 'position', field: 'position', label: 'field.position', render: (r) => r.position ?? '' },
    {
      key: 'company',
      field: 'company_id',
      export: ['company_id', 'company_name'],
      label: 'field.company',
      render: (r) => (r.company_id ? <a href={`#/companies/${r.company_id}`}>{r.company_name ?? `#${r.company_id}`}</a> : ''),
      className: 'nowrap',
    },
    { key: 'email', field: 'emails', label: 'field.email', render: (r) => r.emails?.[0] ?? '' },
    { key: 'phone', field: 'phones', label: 'field.phone', render: (r) => r.phones?.[0] ?? '', className: 'nowrap' },
    { key: 'tags', field: 'tags', label: 'field.tags', render: (r) => <Tags tags={r.tags} /> },
    { key: 'updated_at', label: 'field.updated_at', sort: 'updated_at', render: (r) => formatDateTime(r.updated_at), className: 'nowrap muted' },
  ],
  filters: [
    { name: 'source', label: 'field.source' },
    { name: 'tag', label: 'field.tag' },
  ],
  title: (r) => contactName(r),
  subtitle: (r) =>
    [r.position, r.company_name ? t('contacts.atCompany', { company: r.company_name }) : null].filter(Boolean).join(' '),
};

import type { Company } from '../api';
import type { EntityConfig } from '../common/entity';
import { formatDateTime } from '../format';
import { Tags } from '../common/Tags';

export const companyConfig: EntityConfig<Company> = {
  entity: 'companies',
  fields: [
    { name: 'name', kind: 'text', label: 'field.name', required: true, autoComplete: 'organization' },
    { name: 'legal_name', kind: 'text', label: 'field.legal_name' },
    { name: 'industry', kind: 'text', label: 'field.industry' },
    { name: 'source', kind: 'text', label: 'field.source' },
    { name: 'website', kind: 'url', label: 'field.website' },
    { name: 'tax_id', kind: 'text', label: 'field.tax_id' },
    { name: 'emails', kind: 'emails', label: 'field.emails' },
    { name: 'phones', kind: 'phones', label: 'field.phones' },
    { name: 'address', kind: 'text', label: 'field.address', wide: true },
    { name: 'tags', kind: 'tags', label: 'field.tags' },
    { name: 'owner_id', kind: 'owner', label: 'field.owner' },
    { name: 'notes', kind: 'textarea', label: 'field.notes' },
  ],
  columns: [
    { key: 'name', label: 'field.name', sort: 'name', render: (r) => <strong>{r.name}</strong>, className: 'nowrap' },
    { key: 'industry', field: 'industry', label: 'field.industry', render: (r) => r.industry ?? '' },
    { key: 'source', field: 'source', label: 'field.source', render: (r) => r.source ?? '', className: 'hide-phone' },
    { key: 'email', field: 'emails', label: 'field.email', render: (r) => r.emails?.[0] ?? '' },
    { key: 'phone', field: 'phones', label: 'field.phone', render: (r) => r.phones?.[0] ?? '', className: 'nowrap' },
    { key: 'tags', field: 'tags', label: 'field.tags', render: (r) => <Tags tags={r.tags} /> },
    { key: 'updated_at', label: 'field.updated_at', sort: 'updated_at', render: (r) => formatDateTime(r.updated_at), className: 'nowrap muted' },
  ],
  filters: [
    { name: 'industry', label: 'field.industry' },
    { name: 'source', label: 'field.source' },
    { name: 'tag', label: 'field.tag' },
  ],
  title: (r) => r.name,
  subtitle: (r) => [r.industry, r.legal_name].filter(Boolean).join(' · '),
};

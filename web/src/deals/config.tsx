import type { Deal } from '../api';
import type { EntityConfig } from '../common/entity';
import { Tags } from '../common/Tags';
import { formatDate, formatMoney } from '../format';
import { t } from '../i18n';
import { OwnerName } from './OwnerName';
import { StuckFlag } from './StuckFlag';

/** "€1,234.56", or nothing without an amount. */
export function dealAmount(d: Pick<Deal, 'amount' | 'currency'>): string {
  return d.amount === null || d.amount === undefined || !d.currency ? '' : formatMoney({ amount: d.amount, currency: d.currency });
}

export const dealConfig: EntityConfig<Deal> = {
  entity: 'deals',
  fields: [
    { name: 'title', kind: 'text', label: 'field.title', required: true, wide: true },
    { name: 'pipeline_id', kind: 'pipeline', label: 'field.pipeline', createOnly: true },
    { name: 'stage_id', kind: 'stage', label: 'field.stage', createOnly: true },
    { name: 'amount', kind: 'amount', label: 'field.amount' },
    { name: 'currency', kind: 'currency', label: 'field.currency' },
    { name: 'company_id', kind: 'company', label: 'field.company' },
    { name: 'contact_ids', kind: 'contacts', label: 'field.contacts' },
    { name: 'expected_close', kind: 'date', label: 'field.expected_close' },
    { name: 'source', kind: 'text', label: 'field.source' },
    { name: 'owner_id', kind: 'owner', label: 'field.owner' },
    { name: 'tags', kind: 'tags', label: 'field.tags' },
    { name: 'notes', kind: 'textarea', label: 'field.notes' },
  ],
  columns: [
    { key: 'title', label: 'field.title', sort: 'title', render: (r) => <strong>{r.title}</strong> },
    {
      key: 'company',
      field: 'company_id',
      export: ['company_id', 'company_name'],
      label: 'field.company',
      render: (r) => (r.company_id ? <a href={`#/companies/${r.company_id}`}>{r.company_name ?? `#${r.company_id}`}</a> : ''),
    },
    {
      key: 'stage',
      field: 'stage_id',
      export: ['stage_id', 'stage_name'],
      label: 'field.stage',
      render: (r) => (
        <span className={`stage-pill stage-${r.status}`}>{r.stage_name ?? `#${r.stage_id}`}</span>
      ),
      className: 'nowrap',
    },
    { key: 'amount', field: 'amount', export: ['amount', 'currency'], label: 'field.amount', sort: 'amount', render: (r) => dealAmount(r), className: 'nowrap num' },
    { key: 'owner', field: 'owner_id', export: ['owner_id', 'owner_name'], label: 'field.owner', render: (r) => <OwnerName id={r.owner_id} />, className: 'nowrap' },
    {
      key: 'expected_close',
      field: 'expected_close',
      label: 'field.expected_close',
      sort: 'expected_close',
      render: (r) => formatDate(r.expected_close),
      className: 'nowrap',
    },
    { key: 'stuck', label: 'deals.stuck', export: [], render: (r) => (r.stuck ? <StuckFlag deal={r} /> : ''), className: 'nowrap' },
    { key: 'tags', field: 'tags', label: 'field.tags', render: (r) => <Tags tags={r.tags} />, className: 'hide-phone' },
  ],
  filters: [
    { name: 'source', label: 'field.source' },
    { name: 'tag', label: 'field.tag' },
  ],
  title: (r) => r.title,
  // While a deal has line items its amount is their total, and its currency changes with them.
  locked: (r): Record<string, string> =>
    r.items_count > 0 ? { amount: t('deals.amountFromItems'), currency: t('deals.amountFromItems') } : {},
  subtitle: (r) =>
    [r.stage_name, t(`deals.status.${r.status}`), dealAmount(r)].filter(Boolean).join(' · '),
};

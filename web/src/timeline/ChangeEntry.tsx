import type { AuditEntry } from '../api';
import { fieldLabeler, historyText, valueText, type Directory } from '../audit/describe';
import { t } from '../i18n';

interface Props {
  entity: string;
  action: string;
  changes?: Record<string, [unknown, unknown]>;
  dir: Directory;
}

/** A field change as the History tab words it, with old → new per field. */
export function ChangeEntry({ entity, action, changes, dir }: Props) {
  // The wording helpers take an audit entry: make the one the timeline's entry stands for.
  const entry = { action, entity, detail: changes ? { changes } : {} } as unknown as AuditEntry;
  const label = fieldLabeler(entity, []);
  const rows = Object.entries(changes ?? {}).filter(([k]) => !(action === 'record.transfer' && k === 'owner_id'));
  return (
    <>
      <span className="timeline-what">{historyText(dir, entry)}</span>
      {rows.length > 0 && (
        <ul className="timeline-changes">
          {rows.map(([k, [a, b]]) => (
            <li key={k} data-field={k}>
              <span className="field-name">{label(k)}</span>: <span className="from">{valueText(dir, [], entity, k, a) || t('record.none')}</span>{' '}
              <span aria-hidden="true">→</span>
              <span className="sr-only">{t('history.to')}</span> <span className="to">{valueText(dir, [], entity, k, b) || t('record.none')}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

import { records, type Contact, type Deal } from '../api';
import type { CompanyRef } from '../common/inputs';
import { RecordPicker, type PickRow } from '../common/RecordPicker';
import { contactName } from '../contacts/config';
import { t } from '../i18n';

interface Props {
  id: string;
  entity: 'contacts' | 'deals';
  value: CompanyRef;
  invalid?: boolean;
  describedBy?: string;
  onChange: (v: CompanyRef) => void;
}

function rowOf(entity: Props['entity'], r: Contact | Deal): PickRow {
  if (entity === 'contacts') {
    const c = r as Contact;
    return { id: c.id, label: contactName(c), sub: c.company_name ?? '' };
  }
  const d = r as Deal;
  return { id: d.id, label: d.title, sub: d.company_name ?? '' };
}

/** Pick the contact or deal an activity is about by typing part of its name (a combobox). */
export function LinkPicker({ id, entity, value, invalid, describedBy, onChange }: Props) {
  return (
    <RecordPicker
      id={id}
      source={entity}
      value={value}
      invalid={invalid}
      describedBy={describedBy}
      placeholder={t(entity === 'contacts' ? 'activity.findContact' : 'activity.findDeal')}
      clearLabel={t('activity.clearLink', { what: value.label })}
      search={(q, signal) =>
        records.list<Contact | Deal>(entity, { q, limit: 8 }, signal).then((p) => p.data.map((r) => rowOf(entity, r)))
      }
      onChange={onChange}
    />
  );
}

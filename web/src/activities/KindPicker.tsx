import { ACTIVITY_KINDS, type ActivityKind } from '../api';
import { t } from '../i18n';
import { KindIcon } from './KindIcon';
import { kindLabel } from './kinds';

/** The kind of a new activity, as a radio group (arrow keys move between kinds). */
export function KindPicker({ value, onChange }: { value: ActivityKind; onChange: (k: ActivityKind) => void }) {
  return (
    <fieldset className="kind-picker">
      <legend className="field-label">{t('field.kind')}</legend>
      {ACTIVITY_KINDS.map((k) => (
        <label key={k} className={k === value ? 'kind-option active' : 'kind-option'}>
          <input type="radio" name="kind" value={k} checked={k === value} onChange={() => onChange(k)} />
          <KindIcon name={k} decorative />
          <span>{t(kindLabel(k))}</span>
        </label>
      ))}
    </fieldset>
  );
}

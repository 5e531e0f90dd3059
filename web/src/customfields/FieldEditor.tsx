import { useState, type FormEvent } from 'react';
import { ApiError, CUSTOM_FIELD_TYPES, customFields, type CustomFieldDef, type CustomFieldType, type EntityName, type FieldError } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { errorsFor, FormField, inputAria } from '../common/FormField';
import { t } from '../i18n';

interface Props {
  entity: EntityName;
  def: CustomFieldDef | null;
  onDone: (saved: boolean) => void;
}

/** "segment label" → "segment_label": a suggestion for the field's API name. */
function slug(label: string): string {
  return label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
}

const hasOptions = (type: CustomFieldType) => type === 'choice' || type === 'multichoice';

/** Add a custom field, or edit the label, required flag and options of one. */
export function FieldEditor({ entity, def, onDone }: Props) {
  const [label, setLabel] = useState(def?.label ?? '');
  const [name, setName] = useState(def?.name ?? '');
  const [nameTouched, setNameTouched] = useState(false);
  const [type, setType] = useState<CustomFieldType>(def?.type ?? 'text');
  const [required, setRequired] = useState(def?.required ?? false);
  const [options, setOptions] = useState((def?.options ?? []).join('\n'));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const msgs = (f: string) => errorsFor(errors, f).map((e) => e.message);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    const opts = options
      .split('\n')
      .map((x) => x.trim())
      .filter(Boolean);
    setSaving(true);
    setBanner(null);
    try {
      if (def) {
        const patch: Parameters<typeof customFields.update>[1] = { label: label.trim(), required };
        if (hasOptions(def.type)) patch.options = opts;
        await customFields.update(def.id, patch);
      } else {
        await customFields.create({
          entity,
          name: name.trim(),
          label: label.trim(),
          type,
          required,
          ...(hasOptions(type) ? { options: opts } : {}),
        });
      }
      onDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(err.errors);
        const known = ['name', 'label', 'type', 'required', 'options', 'entity'];
        const other = err.errors.filter((x) => !known.some((k) => errorsFor([x], k).length)).map((x) => `${x.field} ${x.message}`);
        setBanner(err.detail || t('error.invalid'));
        if (other.length) setBanner(`${err.detail || t('error.invalid')} ${other.join('; ')}`);
      } else {
        setErrors([]);
        setBanner(errorText(err));
      }
    } finally {
      setSaving(false);
    }
  }

  const currentType = def?.type ?? type;
  return (
    <form
      className="card form-card field-editor"
      noValidate
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onDone(false);
        }
      }}
      aria-label={def ? t('customFields.editTitle', { label: def.label }) : t('customFields.addTitle', { entity: t(`entity.${entity}.lower`) })}
    >
      <h2 className="card-title">
        {def ? t('customFields.editTitle', { label: def.label }) : t('customFields.addTitle', { entity: t(`entity.${entity}.lower`) })}
      </h2>
      {banner && <ErrorBanner message={banner} />}
      <div className="form-grid">
        <FormField name="label" label={t('customFields.label')} required errors={msgs('label')}>
          <input
            {...inputAria('label', msgs('label').length > 0)}
            name="label"
            className="input"
            autoFocus
            autoComplete="off"
            value={label}
            onChange={(e) => {
              setLabel(e.target.value);
              if (!def && !nameTouched) setName(slug(e.target.value));
            }}
          />
        </FormField>
        <FormField name="name" label={t('customFields.name')} required errors={msgs('name')} hint={t('customFields.nameHint')}>
          <input
            {...inputAria('name', msgs('name').length > 0, true)}
            name="name"
            className="input mono"
            autoComplete="off"
            spellCheck={false}
            disabled={!!def}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setNameTouched(true);
            }}
          />
        </FormField>
        <FormField name="type" label={t('customFields.type')} required errors={msgs('type')}>
          <select
            {...inputAria('type', msgs('type').length > 0)}
            name="type"
            className="input"
            disabled={!!def}
            value={currentType}
            onChange={(e) => setType(e.target.value as CustomFieldType)}
          >
            {CUSTOM_FIELD_TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`type.${x}`)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField name="required" label={t('customFields.required')} errors={msgs('required')} group>
          <label className="check">
            <input type="checkbox" name="required" id="f-required" checked={required} onChange={(e) => setRequired(e.target.checked)} />
            <span>{t('customFields.requiredHint')}</span>
          </label>
        </FormField>
        {hasOptions(currentType) && (
          <FormField name="options" label={t('customFields.options')} required errors={msgs('options')} hint={t('customFields.optionsHint')} wide>
            <textarea
              {...inputAria('options', msgs('options').length > 0, true)}
              name="options"
              className="input"
              rows={4}
              value={options}
              onChange={(e) => setOptions(e.target.value)}
            />
          </FormField>
        )}
      </div>
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : def ? t('common.save') : t('customFields.add')}
        </button>
      </div>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { salesAdmin, type FieldError, type Pipeline } from '../../api';
import { ErrorBanner } from '../../common/ErrorBanner';
import { FormField, inputAria } from '../../common/FormField';
import { t } from '../../i18n';
import { messagesFor, splitErrors } from '../fieldErrors';
import { StageRows } from './StageRows';
import { toDraft, toInput, type PipelineDraft } from './stageDraft';

interface Props {
  pipeline: Pipeline | null;
  onDone: (saved: Pipeline | null) => void;
}

/** Adds or edits a pipeline: its name and its stage rows, saved in one request. */
export function PipelineEditor({ pipeline, onDone }: Props) {
  const [draft, setDraft] = useState<PipelineDraft>(() => toDraft(pipeline));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const title = pipeline ? t('pipelines.editTitle', { name: pipeline.name }) : t('pipelines.add');

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setBanner(null);
    try {
      const body = toInput(draft);
      const saved = pipeline ? await salesAdmin.updatePipeline(pipeline.id, body) : await salesAdmin.createPipeline(body);
      onDone(saved);
    } catch (err) {
      const s = splitErrors(err, ['name', 'stages']);
      setErrors(s.errors);
      setBanner(s.banner);
    } finally {
      setSaving(false);
    }
  }

  const nameErrors = messagesFor(errors, 'name');
  return (
    <form
      className="card form-card pipeline-editor"
      noValidate
      aria-label={title}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          onDone(null);
        }
      }}
    >
      <h2 className="card-title">{title}</h2>
      {banner && <ErrorBanner message={banner} />}
      <div className="form-grid">
        <FormField name="name" label={t('field.name')} required errors={nameErrors}>
          <input {...inputAria('name', nameErrors.length > 0)} name="name" className="input" autoComplete="off" autoFocus value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </FormField>
        <FormField name="stages" label={t('pipelines.stages')} group wide hint={t('pipelines.rules')} errors={messagesFor(errors, 'stages')}>
          <StageRows stages={draft.stages} errorsAt={(i) => messagesFor(errors, `stages[${i}]`)} onChange={(stages) => setDraft({ ...draft, stages })} />
        </FormField>
      </div>
      <div className="form-actions">
        <span className="muted small hide-phone">{t('form.keyboardHint')}</span>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

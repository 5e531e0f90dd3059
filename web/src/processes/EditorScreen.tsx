import { useEffect, useMemo, useState } from 'react';
import { ApiError, processes, type FieldError, type ProcessTemplate } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { Canvas, outputLabel, type Selection } from './Canvas';
import { blankDefinition, dropDraft, takeDraft } from './draft';
import { ErrorList } from './ErrorList';
import { connect, freeId, newStep, placed, removeStep, stepOfError } from './graph';
import { kindLabel } from './kinds';
import { Palette } from './Palette';
import { SettingsPanel } from './SettingsPanel';
import { StepPanel } from './StepPanel';
import type { Definition, StepKind } from './types';
import { useDirectory } from './useDirectory';
import { useValidation } from './useValidation';
import { VersionsCard } from './VersionsCard';
import './processes.css';

/**
 * #/admin/processes/new[?draft=1] and #/admin/processes/{id}[?v=N]: the visual editor (draft=1:
 * the definition the wizard or "Use as a start" left in draft.ts). The definition lives
 * here; the canvas and the panels hand back changed copies. The server checks every change as the
 * user edits (useValidation) and again on save, which it refuses (422) while the template cannot run.
 * An older version opens read only, with "Restore as new version".
 */
export function EditorScreen({ id, version, draft = false }: { id: number | 'new'; version: number | null; draft?: boolean }) {
  const [tpl, setTpl] = useState<ProcessTemplate | null>(null);
  const [def, setDef] = useState<Definition | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [sel, setSel] = useState<Selection>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const dir = useDirectory();
  const readOnly = version !== null && tpl !== null && version !== tpl.version;
  const { errors, checking, setErrors } = useValidation(def, !readOnly);
  useTitle(def?.name || t('pe.title'));

  useEffect(() => {
    let live = true;
    setError(null);
    setSel(null);
    if (id === 'new') {
      const d = (draft && takeDraft()) || blankDefinition(t('pe.untitled'));
      setTpl(null);
      setDef(placed(d));
      setSaved('');
      return;
    }
    (async () => {
      const cur = await processes.get(id);
      const shown = version !== null && version !== cur.version ? (await processes.version(id, version)).definition : cur.definition;
      if (!live) return;
      setTpl(cur);
      const d = placed(shown as unknown as Definition);
      setDef(d);
      setSaved(JSON.stringify(placed(cur.definition as unknown as Definition)));
      if (version !== null && version !== cur.version) setErrors([]);
    })().catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, version, draft, setErrors]);

  const byStep = useMemo(() => {
    const m = new Map<string, string[]>();
    if (!def) return m;
    for (const e of errors) {
      const s = stepOfError(def, e.field);
      if (s) m.set(s, [...(m.get(s) ?? []), e.message]);
    }
    return m;
  }, [def, errors]);

  if (!def) {
    return <section className="page">{error ? <ErrorBanner message={error} /> : <div className="card placeholder">{t('common.loading')}</div>}</section>;
  }

  const dirty = JSON.stringify(def) !== saved;

  function add(kind: StepKind, x?: number, y?: number) {
    if (!def) return;
    const sid = freeId(def, kind);
    const low = def.steps.reduce((m, s) => Math.max(m, (s.position?.y ?? 0) + 120), 0);
    const step = newStep(kind, sid, kindLabel(kind), Math.round(x ?? 0), Math.round(y ?? low));
    setDef({ ...def, start: def.start || sid, steps: [...def.steps, step] });
    setSel({ step: sid });
  }

  function remove(sid: string) {
    if (!def) return;
    setDef(removeStep(def, sid));
    setSel(null);
  }

  async function save(body: Definition) {
    setSaving(true);
    setError(null);
    try {
      if (id === 'new') {
        const made = await processes.create(body);
        dropDraft();
        navigate(`/admin/processes/${made.id}`);
        return;
      }
      const next = await processes.update(id, body, tpl?.version ?? 1);
      setTpl(next);
      const d = placed(next.definition as unknown as Definition);
      setSaved(JSON.stringify(d));
      if (version !== null) navigate(`/admin/processes/${id}`);
      else setDef(d);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.errors.length) {
        setErrors(e.errors);
        setError(t('pe.refused'));
      } else if (e instanceof ApiError && e.status === 412) setError(t('pe.stale'));
      else setError(errorText(e));
    } finally {
      setSaving(false);
    }
  }

  const selStep = sel && 'step' in sel ? def.steps.find((s) => s.id === sel.step) : undefined;
  const selEdge = sel && 'edge' in sel ? sel.edge : null;
  const stepErrors = (sid: string): FieldError[] => errors.filter((e) => stepOfError(def, e.field) === sid);
  const otherErrors = errors.filter((e) => stepOfError(def, e.field) === null);

  return (
    <section className="page pe-page">
      <header className="page-header">
        <div>
          <p className="subtitle">
            <a href={href('/admin/processes')}>{t('processes.title')}</a>
          </p>
          <h1>{def.name || t('pe.untitled')}</h1>
          <p className="subtitle">
            {id === 'new' ? t('pe.unsavedNew') : readOnly ? t('pe.oldVersion', { v: version ?? 0 }) : t('pe.versionOf', { v: tpl?.version ?? 1 })}
            {dirty && !readOnly && id !== 'new' ? ` · ${t('pe.unsaved')}` : ''}
          </p>
        </div>
        <div className="page-actions">
          {readOnly ? (
            <button type="button" className="btn btn-primary" disabled={saving} onClick={() => void save(def)}>
              {t('pe.restoreVersion')}
            </button>
          ) : (
            <button type="button" className="btn btn-primary" disabled={saving || (!dirty && id !== 'new')} onClick={() => void save(def)}>
              {t('pe.save')}
            </button>
          )}
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {!readOnly && <ErrorList def={def} errors={errors} checking={checking} onPick={(s) => setSel(s ? { step: s } : null)} />}
      <div className={readOnly ? 'pe-layout read-only' : 'pe-layout'}>
        {!readOnly && <Palette onAdd={(k) => add(k)} />}
        <Canvas
          def={def}
          selection={sel}
          errors={byStep}
          readOnly={readOnly}
          onSelect={setSel}
          onChange={setDef}
          onRemoveStep={remove}
          onDropKind={(k, x, y) => add(k as StepKind, x, y)}
        />
        <div className="pe-side">
          {selStep ? (
            <StepPanel key={selStep.id} def={def} step={selStep} errors={stepErrors(selStep.id)} dir={dir} readOnly={readOnly} onChange={setDef} onRemove={() => remove(selStep.id)} />
          ) : selEdge ? (
            <aside className="card pe-panel" aria-label={t('pe.arrow')}>
              <h2 className="card-title">{t('pe.arrow')}</h2>
              <p>
                {def.steps.find((s) => s.id === selEdge.from)?.name} — {outputLabel(selEdge.output)}
              </p>
              {!readOnly && (
                <button
                  type="button"
                  className="btn btn-sm btn-danger-ghost"
                  onClick={() => {
                    const { from, output } = selEdge;
                    setDef({ ...def, steps: def.steps.map((s) => (s.id === from ? connect(s, output, undefined) : s)) });
                    setSel(null);
                  }}
                >
                  {t('pe.removeArrow')}
                </button>
              )}
            </aside>
          ) : (
            <SettingsPanel def={def} isNew={id === 'new'} errors={otherErrors} dir={dir} readOnly={readOnly} onChange={setDef} />
          )}
          {tpl && <VersionsCard tpl={tpl} viewing={version} />}
        </div>
      </div>
    </section>
  );
}

import { useEffect, useState } from 'react';
import { ApiError, currentUser, customFields, etagOf, type CustomFieldDef } from '../../api';
import { ConfirmDialog } from '../../common/ConfirmDialog';
import { ErrorBanner } from '../../common/ErrorBanner';
import { useTitle } from '../../common/hooks';
import { useToast } from '../../common/Toast';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { reportName } from '../names';
import { ReportAnswer } from '../ReportAnswer';
import { reports, type Definition, type ReportEntity, type Share } from '../reportsApi';
import { AggregateRows } from './AggregateRows';
import { cleaned } from './clean';
import { ColumnRows } from './ColumnRows';
import { EntityPicker } from './EntityPicker';
import { fieldsOf } from './fields';
import { FilterRows } from './FilterRows';
import { GroupRows } from './GroupRows';
import { ModePicker, type Mode } from './ModePicker';
import { OutputOptions } from './OutputOptions';
import { ProblemText } from './ProblemText';
import { at, unclaimed, type Problems } from './problems';
import { SharePicker } from './SharePicker';
import { usePreview } from './usePreview';

const BLANK: Definition = { entity: 'deals', aggregates: [{ fn: 'count' }], chart: 'bar' };
const PARTS = ['entity', 'joins', 'columns', 'filters', 'group_by', 'aggregates', 'sort', 'limit', 'chart', 'name', 'description'];

interface Props {
  /** The report changed (#/reports/{id}/edit), or null for a new one (#/reports/new?copy={id}). */
  id: number | null;
  copy: number | null;
}

/** #/reports/new and #/reports/{id}/edit: the description built part by part, previewed as it changes. */
export function Designer({ id, copy }: Props) {
  const toast = useToast();
  const [def, setDef] = useState<Definition | null>(id === null && copy === null ? BLANK : null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [shares, setShares] = useState<Share[]>([]);
  const [ownerId, setOwnerId] = useState<number | null>(currentUser()?.id ?? null);
  const [etag, setEtag] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveProblems, setSaveProblems] = useState<Problems>([]);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [custom, setCustom] = useState<CustomFieldDef[]>([]);
  useTitle(id === null ? t('rw.new') : t('rw.editTitle', { name }));

  useEffect(() => {
    const from = id ?? copy;
    if (from === null) return;
    reports
      .get(from)
      .then((r) => {
        if (!r.data.definition) throw new ApiError(404, '', t('rw.noDefinition'));
        setDef(r.data.definition);
        setName(id === null ? t('rw.copyName', { name: reportName(r.data) }) : r.data.name);
        setDescription(id === null ? '' : r.data.description);
        if (id !== null) {
          setShares(r.data.shares ?? []);
          setOwnerId(r.data.owner_id);
          setEtag(etagOf(r));
        }
      })
      .catch(setLoadError);
  }, [id, copy]);

  const entity = def?.entity ?? 'deals';
  useEffect(() => {
    if (entity === 'activities') return setCustom([]);
    let live = true;
    customFields
      .list(entity)
      .then((c) => live && setCustom(c))
      .catch(() => live && setCustom([]));
    return () => {
      live = false;
    };
  }, [entity]);

  const body = def ? cleaned(def) : null;
  const preview = usePreview(body);
  if (loadError !== null) return <section className="page"><ErrorBanner error={loadError} /></section>;
  if (!def || !body) return <section className="page"><div className="card placeholder">{t('common.loading')}</div></section>;

  const fields = fieldsOf(def.entity, def.joins ?? [], custom);
  const problems = saveProblems.length > 0 ? saveProblems : preview.problems;
  const change = (d: Partial<Definition>) => {
    setSaveProblems([]);
    setDef({ ...def, ...d });
  };
  const onEntity = (e: ReportEntity) => change({ entity: e, joins: [], filters: [], group_by: [], sort: [], aggregates: [{ fn: 'count' }], columns: undefined });
  const mode: Mode = def.columns ? 'rows' : 'counts';
  const onMode = (m: Mode) =>
    m === mode || change(m === 'rows' ? { columns: ['id'], group_by: undefined, aggregates: undefined, sort: [], chart: 'table' } : { columns: undefined, aggregates: [{ fn: 'count' }], sort: [], chart: 'bar' });

  const save = async () => {
    setBusy(true);
    setSaveError(null);
    try {
      const input = { name: name.trim(), description, definition: body, shares };
      const r = id === null ? await reports.create(input) : await reports.update(id, input, etag);
      toast(t('rw.saved'));
      navigate(`/reports/${r.data.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.errors.length > 0) setSaveProblems(e.errors);
      else setSaveError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (id === null) return;
    setBusy(true);
    try {
      await reports.remove(id);
      toast(t('rw.deleted'));
      navigate('/reports');
    } catch (e) {
      setSaveError(e);
      setConfirm(false);
    } finally {
      setBusy(false);
    }
  };

  const loose = unclaimed(problems, PARTS.filter((p) => p !== 'entity' && p !== 'joins'));
  return (
    <section className="page page-wide designer">
      <header className="page-header">
        <div>
          <p className="breadcrumbs">
            <a href="#/reports">{t('rw.library')}</a>
          </p>
          <h1>{id === null ? t('rw.new') : t('rw.editTitle', { name })}</h1>
        </div>
        <div className="page-actions">
          {id !== null && (
            <button type="button" className="btn btn-danger" onClick={() => setConfirm(true)} disabled={busy}>
              {t('common.delete')}
            </button>
          )}
          <button type="button" className="btn btn-primary" onClick={save} disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </header>
      {saveError !== null && <ErrorBanner error={saveError} />}
      {loose.length > 0 && (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">{loose.map((e) => `${e.field}: ${e.message}`).join('; ')}</div>
        </div>
      )}
      <div className="designer-layout">
        <form className="card designer-form" onSubmit={(e) => e.preventDefault()} aria-label={t('rw.d.form')}>
          <label className="field">
            <span className="field-label">{t('rw.d.name')}</span>
            <input className="input" name="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
            <ProblemText messages={at(problems, 'name')} path="name" />
          </label>
          <label className="field">
            <span className="field-label">{t('rw.d.description')}</span>
            <input className="input" name="description" value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <EntityPicker entity={def.entity} joins={def.joins ?? []} onEntity={onEntity} onJoins={(j) => change({ joins: j })} />
          <ProblemText messages={[...at(problems, 'entity'), ...at(problems, 'joins')]} path="joins" />
          <FilterRows filters={def.filters ?? []} fields={fields} problems={problems} onChange={(f) => change({ filters: f })} />
          <ModePicker mode={mode} onChange={onMode} />
          {mode === 'rows' ? (
            <ColumnRows columns={def.columns ?? []} fields={fields} problems={problems} onChange={(c) => change({ columns: c })} />
          ) : (
            <>
              <GroupRows groups={def.group_by ?? []} fields={fields} problems={problems} onChange={(g) => change({ group_by: g })} />
              <AggregateRows aggregates={def.aggregates ?? []} fields={fields} problems={problems} onChange={(a) => change({ aggregates: a })} />
            </>
          )}
          <OutputOptions def={def} problems={problems} onChange={change} />
          <SharePicker shares={shares} ownerId={ownerId} onChange={setShares} />
        </form>
        <section className="card designer-preview" aria-label={t('rw.d.preview')} aria-busy={preview.running}>
          <h2 className="card-title">{t('rw.d.preview')}</h2>
          {preview.error !== null ? (
            <ErrorBanner error={preview.error} />
          ) : preview.problems.length > 0 ? (
            <p className="muted">{t('rw.d.fixProblems')}</p>
          ) : preview.answer === null ? (
            <div className="placeholder">{t('common.loading')}</div>
          ) : (
            <ReportAnswer answer={preview.answer} entity={def.entity} title={name || t('rw.d.preview')} chart={def.chart} />
          )}
        </section>
      </div>
      {confirm && (
        <ConfirmDialog title={t('rw.deleteTitle')} message={t('rw.deleteMessage', { name })} confirmLabel={t('common.delete')} danger busy={busy} onConfirm={remove} onCancel={() => setConfirm(false)} />
      )}
    </section>
  );
}

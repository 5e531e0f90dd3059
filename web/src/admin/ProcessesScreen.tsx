import { useEffect, useState } from 'react';
import { processes, type ProcessTemplate, type ProcessTemplateSummary } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';

const ENTITY: Record<string, Key> = { deals: 'nav.deals', companies: 'nav.companies', contacts: 'nav.contacts', activities: 'nav.activities' };
const TRIGGER: Record<string, Key> = {
  manual: 'processes.trigger.manual',
  created: 'processes.trigger.created',
  field_changed: 'processes.trigger.field_changed',
  schedule: 'processes.trigger.schedule',
  date_offset: 'processes.trigger.date_offset',
};

/**
 * #/admin/processes: the process templates, read only for now (the editor
 * comes later): whether each can run today, and its versions. The server
 * checks every definition again on each read, so "Cannot run" is current.
 */
export function ProcessesScreen() {
  const [status, setStatus] = useState<'active' | 'archived'>('active');
  const [list, setList] = useState<ProcessTemplateSummary[] | null>(null);
  const [open, setOpen] = useState<ProcessTemplate | null>(null);
  const [error, setError] = useState<string | null>(null);
  useTitle(t('processes.title'));

  useEffect(() => {
    let live = true;
    setList(null);
    setOpen(null);
    processes
      .list(status)
      .then((l) => live && setList(l))
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [status]);

  async function show(id: number) {
    setError(null);
    try {
      setOpen(await processes.get(id));
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('processes.title')}</h1>
          <p className="subtitle">{t('processes.subtitle')}</p>
        </div>
        <div className="page-actions" role="group" aria-label={t('processes.status')}>
          {(['active', 'archived'] as const).map((s) => (
            <button key={s} type="button" className={s === status ? 'btn btn-primary' : 'btn'} aria-pressed={s === status} onClick={() => setStatus(s)}>
              {t(s === 'active' ? 'processes.active' : 'processes.archived')}
            </button>
          ))}
        </div>
      </header>
      {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      {list === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : list.length === 0 ? (
        <div className="card placeholder">{t('processes.empty')}</div>
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('processes.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('processes.name')}</th>
                  <th scope="col">{t('processes.entity')}</th>
                  <th scope="col">{t('processes.version')}</th>
                  <th scope="col">{t('processes.state')}</th>
                  <th scope="col">{t('processes.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.id} data-process-id={p.id}>
                    <td>
                      <button type="button" className="btn btn-link" onClick={() => void show(p.id)}>
                        {p.name}
                      </button>
                      {p.builtin && (
                        <>
                          {' '}
                          <span className="state-pill off">{t('processes.builtin')}</span>
                        </>
                      )}
                      <div className="muted">{p.key}</div>
                    </td>
                    <td>{t(ENTITY[p.entity] ?? 'nav.deals')}</td>
                    <td>{p.version}</td>
                    <td>
                      <span className={p.valid ? 'state-pill on' : 'state-pill off'}>{t(p.valid ? 'processes.valid' : 'processes.invalid')}</span>
                    </td>
                    <td className="nowrap">{formatDateTime(p.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {open && <TemplateCard tpl={open} />}
    </section>
  );
}

function TemplateCard({ tpl }: { tpl: ProcessTemplate }) {
  const trigger = TRIGGER[tpl.definition.trigger.type];
  return (
    <article className="card form-card" aria-label={tpl.name}>
      <h2 className="card-title">{tpl.name}</h2>
      {tpl.definition.description && <p>{tpl.definition.description}</p>}
      <p className="muted">{t('processes.starts', { trigger: trigger ? t(trigger) : tpl.definition.trigger.type })}</p>
      {tpl.errors.length > 0 && (
        <>
          <h3>{t('processes.problems')}</h3>
          <ul>
            {tpl.errors.map((e, i) => (
              <li key={i}>
                <code>{e.field}</code>: {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('processes.steps')}</h3>
      <ol>
        {tpl.definition.steps.map((s) => (
          <li key={s.id}>
            {s.name} <span className="muted">({s.kind})</span>
          </li>
        ))}
      </ol>
      <h3>{t('processes.versions')}</h3>
      <ul>
        {tpl.versions.map((v) => (
          <li key={v.version}>{t('processes.versionRow', { v: v.version, at: formatDateTime(v.created_at) })}</li>
        ))}
      </ul>
    </article>
  );
}

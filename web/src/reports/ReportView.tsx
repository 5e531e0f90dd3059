import { useEffect, useState } from 'react';
import { ErrorBanner } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { navigate } from '../router';
import { ExportLinks } from './ExportLinks';
import { DeliverDialog } from './DeliverDialog';
import { BUILTINS } from './library';
import { reportExplanation, reportName } from './names';
import { PinButton } from './PinButton';
import { ReportAnswer } from './ReportAnswer';
import { reports, viewerZone, type SavedReport } from './reportsApi';
import { RUN_PARAMS, RunFilters } from './RunFilters';
import { useRun } from './useRun';

/** #/reports/{id}?from=&to=&days=&owner_id=...: one report, its parameters, its chart and table, its exports. */
export function ReportView({ id, query }: { id: number; query: URLSearchParams }) {
  const [report, setReport] = useState<SavedReport | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [delivering, setDelivering] = useState(false);
  const toast = useToast();
  useTitle(report ? reportName(report) : t('rw.title'));

  useEffect(() => {
    const ctl = new AbortController();
    reports
      .get(id, ctl.signal)
      .then((r) => setReport(r.data))
      .catch((e) => !(e instanceof DOMException && e.name === 'AbortError') && setLoadError(e));
    return () => ctl.abort();
  }, [id]);

  const params: Record<string, string> = {};
  for (const k of RUN_PARAMS) {
    const v = query.get(k);
    if (v) params[k] = v;
  }
  const runQuery = { ...params, tz: viewerZone() };
  const key = JSON.stringify(runQuery);
  const run = useRun(report ? (signal) => reports.run(id, runQuery, signal) : null, key, tick);

  if (loadError !== null) return <section className="page"><ErrorBanner error={loadError} /></section>;
  if (!report) return <section className="page"><div className="card placeholder">{t('common.loading')}</div></section>;
  const lib = report.builtin ? BUILTINS[report.builtin] : undefined;
  const entity = report.definition?.entity ?? lib?.entity ?? 'deals';
  const name = reportName(report);
  return (
    <section className="page page-wide report-page">
      <header className="page-header">
        <div>
          <p className="breadcrumbs">
            <a href="#/reports">{t('rw.library')}</a>
          </p>
          <h1>{name}</h1>
          <div className="subtitle report-explanation">{reportExplanation(report)}</div>
        </div>
        <div className="page-actions">
          <button type="button" className="btn btn-sm" onClick={() => setTick((x) => x + 1)}>
            {t('rw.refresh')}
          </button>
          <ExportLinks id={id} entity={entity} query={runQuery} />
          <PinButton id={id} />
          <button type="button" className="btn btn-sm" onClick={() => setDelivering(true)}>
            {t('rd.open')}
          </button>
          {report.definition && (
            <a className="btn btn-sm" href={report.editable ? `#/reports/${id}/edit` : `#/reports/new?copy=${id}`}>
              {report.editable ? t('common.edit') : t('rw.copyToDesigner')}
            </a>
          )}
        </div>
      </header>
      {delivering && (
        <DeliverDialog
          reportId={id}
          reportName={name}
          params={params}
          onClose={(saved) => {
            setDelivering(false);
            if (saved) toast(t('rd.saved'));
          }}
        />
      )}
      <RunFilters takes={report.params ?? []} params={params} onChange={(p) => navigate(`/reports/${id}`, p)} />
      {run.error !== null ? (
        <ErrorBanner error={run.error}>
          <button type="button" className="btn btn-sm" onClick={() => setTick((x) => x + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBanner>
      ) : run.answer === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : (
        <section className="card" aria-label={name} aria-busy={run.loading}>
          <ReportAnswer answer={run.answer} entity={entity} title={name} chart={report.definition?.chart} />
        </section>
      )}
    </section>
  );
}

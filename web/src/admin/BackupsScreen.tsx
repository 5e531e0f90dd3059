import { useCallback, useEffect, useState } from 'react';
import { backups as backupsApi, type BackupRun, type BackupStatus } from '../api';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { formatDateTime, formatNumber } from '../format';
import { t } from '../i18n';

/** 1536 → "1.5 KB": sizes at a glance. */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? formatNumber(v) : v.toFixed(1)} ${units[u]}`;
}

/** Seconds as the largest sensible unit: "45 s", "12 min", "3 h", "2 d". */
export function formatAge(s: number): string {
  if (s < 90) return t('backups.ageSeconds', { n: s });
  if (s < 5400) return t('backups.ageMinutes', { n: Math.round(s / 60) });
  if (s < 129600) return t('backups.ageHours', { n: Math.round(s / 3600) });
  return t('backups.ageDays', { n: Math.round(s / 86400) });
}

function fileName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** #/admin/backups: recent backups, the schedule, a warning when the last good one is too old, "Back up now". */
export function BackupsScreen() {
  const toast = useToast();
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [waiting, setWaiting] = useState(0); // runs expected: poll until they show
  useTitle(t('backups.title'));

  const load = useCallback(async () => {
    try {
      setStatus(await backupsApi.status());
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // While a backup is queued or running, look again every second.
  const pending = waiting > 0 || (status !== null && (status.running || status.queued > 0));
  useEffect(() => {
    if (!pending) return undefined;
    const id = window.setInterval(() => void load(), 1000);
    return () => window.clearInterval(id);
  }, [pending, load]);
  useEffect(() => {
    if (waiting > 0 && status !== null && status.data.length >= waiting) setWaiting(0);
  }, [status, waiting]);

  async function backUpNow() {
    setError(null);
    try {
      const before = status?.data.length ?? 0;
      await backupsApi.start();
      toast(t('backups.started'));
      setWaiting(Math.min(before, 49) + 1);
      void load();
    } catch (e) {
      setError(e);
    }
  }

  const schedule = status?.schedule ?? null;
  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{t('backups.title')}</h1>
          <p className="subtitle">
            {schedule
              ? t('backups.scheduled', {
                  every: formatAge(schedule.every_s),
                  keep: schedule.keep,
                  dir: schedule.dir,
                })
              : t('backups.noSchedule')}
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="btn btn-primary" onClick={() => void backUpNow()} disabled={pending}>
            {pending ? t('backups.running') : t('backups.now')}
          </button>
        </div>
      </header>
      {status?.stale && (
        <div className="banner banner-error backups-stale" role="alert">
          <div className="banner-body">
            <strong className="banner-text">
              {status.last_ok_at
                ? t('backups.stale', { when: formatDateTime(status.last_ok_at) })
                : t('backups.staleNone')}
            </strong>
          </div>
        </div>
      )}
      {error !== null && <ErrorBanner message={errorText(error)} onDismiss={() => setError(null)} />}
      {status === null ? (
        <div className="card placeholder">{t('common.loading')}</div>
      ) : status.data.length === 0 ? (
        <div className="card placeholder">{t('backups.none')}</div>
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="data-table backups-table">
              <caption className="sr-only">{t('backups.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('backups.finished')}</th>
                  <th scope="col">{t('backups.age')}</th>
                  <th scope="col">{t('backups.kind')}</th>
                  <th scope="col">{t('backups.file')}</th>
                  <th scope="col">{t('backups.size')}</th>
                  <th scope="col">{t('backups.result')}</th>
                </tr>
              </thead>
              <tbody>
                {status.data.map((b: BackupRun) => (
                  <tr key={b.id} data-backup-id={b.id} className={b.removed ? 'inactive' : undefined}>
                    <td className="nowrap">{formatDateTime(b.finished_at)}</td>
                    <td className="nowrap">{formatAge(b.age_s)}</td>
                    <td>{t(b.kind === 'scheduled' ? 'backups.kindScheduled' : b.kind === 'manual' ? 'backups.kindManual' : 'backups.kindCli')}</td>
                    <td title={b.file}>
                      <code>{fileName(b.file)}</code>
                    </td>
                    <td className="nowrap">{formatBytes(b.size)}</td>
                    <td>
                      {b.ok ? (
                        <span className={b.removed ? 'state-pill off' : 'state-pill on'}>
                          {b.removed ? t('backups.removed') : t('backups.ok')}
                        </span>
                      ) : (
                        <span className="state-pill off" title={b.error ?? ''}>
                          {t('backups.failed')}: {b.error}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

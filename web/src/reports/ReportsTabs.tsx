import { t } from '../i18n';

/** The library, the dashboard and one's deliveries by mail, as tabs of the reports section. */
export function ReportsTabs({ current }: { current: 'library' | 'dashboard' | 'subscriptions' }) {
  return (
    <nav className="tabs" aria-label={t('rw.title')}>
      <a href="#/reports" className={current === 'library' ? 'tab active' : 'tab'} aria-current={current === 'library' ? 'page' : undefined}>
        {t('rw.library')}
      </a>
      <a href="#/reports/dashboard" className={current === 'dashboard' ? 'tab active' : 'tab'} aria-current={current === 'dashboard' ? 'page' : undefined}>
        {t('rw.dashboard')}
      </a>
      <a
        href="#/reports/subscriptions"
        className={current === 'subscriptions' ? 'tab active' : 'tab'}
        aria-current={current === 'subscriptions' ? 'page' : undefined}
      >
        {t('rd.list')}
      </a>
    </nav>
  );
}

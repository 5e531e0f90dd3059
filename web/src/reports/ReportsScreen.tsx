import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { Dashboard } from './Dashboard';
import { Designer } from './designer/Designer';
import { FunnelScreen } from './FunnelScreen';
import { Library } from './Library';
import { ReportView } from './ReportView';
import { Subscriptions } from './Subscriptions';
import { SupportScreen } from './SupportScreen';
import '../deals/deals.css';
import './reports.css';

const ID = /^\d+$/;

/**
 * #/reports (the library), #/reports/dashboard, #/reports/subscriptions, #/reports/funnel, #/reports/support, #/reports/new[?copy={id}],
 * #/reports/{id}[?from=&to=&days=], #/reports/{id}/edit.
 */
export function ReportsScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  const [, sub, action] = path;
  if (!sub) return <Library />;
  if (sub === 'dashboard') return <Dashboard />;
  if (sub === 'subscriptions') return <Subscriptions />;
  if (sub === 'funnel') return <FunnelScreen query={query} />;
  if (sub === 'support') return <SupportScreen query={query} />;
  if (sub === 'new') {
    const copy = query.get('copy');
    return <Designer key={`new-${copy ?? ''}`} id={null} copy={copy && ID.test(copy) ? Number(copy) : null} />;
  }
  if (ID.test(sub) && action === 'edit') return <Designer key={`edit-${sub}`} id={Number(sub)} copy={null} />;
  if (ID.test(sub) && !action) return <ReportView key={sub} id={Number(sub)} query={query} />;
  return (
    <section className="page">
      <ErrorBanner message={t('error.notFound')} />
    </section>
  );
}

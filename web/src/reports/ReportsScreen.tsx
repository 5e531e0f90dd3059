import { ErrorBanner } from '../common/ErrorBanner';
import { t } from '../i18n';
import { FunnelScreen } from './FunnelScreen';
import '../deals/deals.css';

/** #/reports/funnel (the one report so far). */
export function ReportsScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  if (!path[1] || path[1] === 'funnel') return <FunnelScreen query={query} />;
  return (
    <section className="page">
      <ErrorBanner message={t('error.notFound')} />
    </section>
  );
}

import { NotFoundPage } from '../common/ErrorBanner';
import { FunnelScreen } from './FunnelScreen';
import { SupportScreen } from './SupportScreen';
import '../deals/deals.css';

/** #/reports/funnel and #/reports/support. */
export function ReportsScreen({ path, query }: { path: string[]; query: URLSearchParams }) {
  if (!path[1] || path[1] === 'funnel') return <FunnelScreen query={query} />;
  if (path[1] === 'support') return <SupportScreen query={query} />;
  return <NotFoundPage />;
}

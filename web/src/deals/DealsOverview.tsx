import { useTitle } from '../common/hooks';
import { PlusIcon, TrashIcon } from '../common/EntityList';
import { exportColumns, ExportMenu } from '../common/ExportMenu';
import { ImportLink } from '../imports/ImportLink';
import { usePipelines } from '../common/salesInputs';
import { t } from '../i18n';
import { can, isHidden } from '../rights';
import { BoardView } from './BoardView';
import { DealList } from './DealList';
import { dealConfig } from './config';
import { DealsToolbar } from './DealsToolbar';
import { ALL_PIPELINES, dealsHref, filtersFrom, toQueryString, type Filters } from './filters';

interface Props {
  view: 'board' | 'list';
  query: URLSearchParams;
}

/** The deals as a board or a list, with the same filters (kept in the URL) for both. */
export function DealsOverview({ view, query }: Props) {
  useTitle(t('deals.title'));
  const pipelines = usePipelines();
  const filters = filtersFrom(query);
  const sort = query.get('sort') ?? '';
  const fallback = pipelines?.find((p) => !p.archived) ?? pipelines?.[0];
  const asked = filters.pipeline_id;
  const all = view === 'list' && asked === ALL_PIPELINES;
  const pipelineId = all ? ALL_PIPELINES : asked && asked !== ALL_PIPELINES ? asked : fallback ? String(fallback.id) : '';
  const effective: Filters = { ...filters };
  if (all || !pipelineId) delete effective.pipeline_id;
  else effective.pipeline_id = pipelineId;
  // The board's API does not search: a search typed in the list stays in the URL for the list only.
  const boardFilters: Filters = { ...effective };
  delete boardFilters.q;

  function go(next: Filters, nextSort = sort) {
    const q = toQueryString(next);
    const s = nextSort ? `${q ? '&' : ''}sort=${encodeURIComponent(nextSort)}` : '';
    window.location.hash = `#/deals${view === 'list' ? '/list' : ''}${q || s ? `?${q}${s}` : ''}`;
  }

  return (
    <section className="page page-wide">
      <header className="page-header">
        <div>
          <h1>{t('deals.title')}</h1>
        </div>
        <div className="page-actions">
          <nav className="view-switch" aria-label={t('deals.views')}>
            <a className={view === 'board' ? 'btn btn-sm active' : 'btn btn-sm'} aria-current={view === 'board' ? 'page' : undefined} href={dealsHref('board', filters)}>
              {t('deals.board')}
            </a>
            <a className={view === 'list' ? 'btn btn-sm active' : 'btn btn-sm'} aria-current={view === 'list' ? 'page' : undefined} href={dealsHref('list', filters)}>
              {t('deals.list')}
            </a>
          </nav>
          <ExportMenu
            entity="deals"
            query={{ ...(view === 'list' ? effective : boardFilters), sort }}
            columns={exportColumns('deals', dealConfig.columns.filter((c) => !c.field || !isHidden('deals', c.field)))}
          />
          <ImportLink entity="deals" />
          <a className="btn btn-ghost" href="#/deals/trash">
            <TrashIcon /> {t('common.trash')}
          </a>
          {can('deals', 'create') && (
            <a className="btn btn-primary" href={`#/deals/new${pipelineId && !all ? `?pipeline_id=${pipelineId}` : ''}`}>
              <PlusIcon /> {t('deals.new')}
            </a>
          )}
        </div>
      </header>
      {pipelines !== null && pipelines.length === 0 ? (
        <div className="card empty-state">
          <p>{t('deals.noPipelines')}</p>
        </div>
      ) : (
        <>
          <DealsToolbar filters={effective} pipelineId={pipelineId} search={view === 'list'} onChange={(f) => go(f)} />
          {pipelines === null ? (
            <div className="card placeholder">{t('common.loading')}</div>
          ) : view === 'board' ? (
            <BoardView filters={boardFilters} />
          ) : (
            <DealList filters={effective} sort={sort} onSort={(s) => go(filters, s)} />
          )}
        </>
      )}
    </section>
  );
}

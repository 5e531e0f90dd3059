import { EntityList } from '../common/EntityList';
import { ProcessesCard } from '../processes/run/ProcessesCard';
import { RecordPage, type Mode } from '../common/RecordPage';
import { useCurrencies, usePipelines } from '../common/salesInputs';
import { t } from '../i18n';
import { DocumentsCard } from '../documents/DocumentsCard';
import { TimelineCard } from '../timeline/TimelineCard';
import { dealConfig } from './config';
import { DealItemsCard } from './items/DealItemsCard';
import { itemsExtension } from './items/itemsExtension';
import { DealsOverview } from './DealsOverview';
import { LostNote } from './LostNote';
import { StageBar } from './StageBar';
import { StageHistory } from './StageHistory';
import './deals.css';

interface Props {
  path: string[];
  query: URLSearchParams;
}

/** #/deals (board), #/deals/list, #/deals/trash, #/deals/new, #/deals/7, #/deals/7/edit */
export function DealsScreen({ path, query }: Props) {
  const [, sub, action] = path;
  if (!sub || sub === 'list') return <DealsOverview view={sub === 'list' ? 'list' : 'board'} query={query} />;
  if (sub === 'trash') return <EntityList key="trash" config={dealConfig} query={query} trash />;
  if (sub === 'new') return <NewDeal query={query} />;
  const id = Number(sub);
  const mode: Mode = action === 'edit' ? 'edit' : 'view';
  return (
    <RecordPage
      key={`r${id}`}
      config={dealConfig}
      id={Number.isInteger(id) && id > 0 ? id : -1}
      mode={mode}
      lead={(d, reload) => (
        <>
          <StageBar deal={d} reload={reload} />
          <LostNote deal={d} />
        </>
      )}
      main={(d) => (
        <>
          <DealItemsCard deal={d} />
          <StageHistory deal={d} />
          <ProcessesCard entity="deals" id={d.id} />
          <DocumentsCard entity="deals" id={d.id} />
          <TimelineCard entity="deals" id={d.id} name={d.title} />
        </>
      )}
      extension={itemsExtension}
    />
  );
}

/** The create form starts in the first active pipeline (or ?pipeline_id=) and the base currency. */
function NewDeal({ query }: { query: URLSearchParams }) {
  const pipelines = usePipelines();
  const currencies = useCurrencies();
  if (pipelines === null || currencies === null) {
    return (
      <section className="page">
        <div className="card placeholder">{t('common.loading')}</div>
      </section>
    );
  }
  const wanted = query.get('pipeline_id');
  const pipeline = pipelines.find((p) => String(p.id) === wanted && !p.archived) ?? pipelines.find((p) => !p.archived);
  const stage = pipeline?.stages.find((s) => String(s.id) === query.get('stage_id') && s.kind === 'open') ?? pipeline?.stages.find((s) => s.kind === 'open');
  const preset = {
    pipeline_id: pipeline ? String(pipeline.id) : '',
    stage_id: stage ? String(stage.id) : '',
    currency: currencies.base,
  };
  return <RecordPage key="new" config={dealConfig} id={null} mode="create" preset={preset} extension={itemsExtension} />;
}

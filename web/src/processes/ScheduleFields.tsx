// The schedule trigger's members (docs/processes.md, "What a schedule starts"): the cron
// expression with the next three runs read back by the server in the template's zone, the
// zone, and an optional filter on the records it starts on.
import { useEffect, useState } from 'react';
import { ApiError, processes } from '../api';
import { t } from '../i18n';
import { ConditionEditor, FILTER_OPS } from './KindFields';
import { Row } from './inputs';
import type { Trigger } from './types';
import { fieldsOf, type Directory } from './useDirectory';

const DEBOUNCE_MS = 400;

/** The next runs of cron in tz as the server computes them, or why there are none. */
function useNextRuns(cron: string, tz: string): { local: string[]; error: string } {
  const [state, setState] = useState<{ local: string[]; error: string }>({ local: [], error: '' });
  useEffect(() => {
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      processes
        .schedulePreview(cron, tz, ctl.signal)
        .then((r) => setState({ local: r.local, error: '' }))
        .catch((e: unknown) => {
          if (e instanceof DOMException && e.name === 'AbortError') return;
          const msg = e instanceof ApiError ? e.errors.map((x) => `${x.field}: ${x.message}`).join('; ') || e.message : String(e);
          setState({ local: [], error: msg });
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [cron, tz]);
  return state;
}

export function ScheduleFields({ tr, entity, dir, readOnly, onChange }: { tr: Trigger; entity: string; dir: Directory; readOnly: boolean; onChange: (tr: Trigger) => void }) {
  const cron = String(tr.cron ?? '');
  const tz = String(tr.tz ?? '');
  const next = useNextRuns(cron, tz);
  const filtered = tr.filter !== undefined;
  return (
    <>
      <Row label={t('pe.cron')}>
        <input className="input" value={cron} readOnly={readOnly} maxLength={120} onChange={(e) => onChange({ ...tr, cron: e.target.value })} />
      </Row>
      <Row label={t('pe.tz')}>
        <input className="input" value={tz} readOnly={readOnly} maxLength={64} onChange={(e) => onChange({ ...tr, tz: e.target.value })} />
      </Row>
      <div className="pe-next-runs" aria-live="polite" aria-label={t('pe.nextRuns')}>
        {next.error ? (
          <p className="field-error">{next.error}</p>
        ) : (
          <>
            <span>{t('pe.nextRuns')}</span>
            <ul>
              {next.local.map((x) => (
                <li key={x}>
                  {x} ({tz})
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <label className="pe-check">
        <input
          type="checkbox"
          checked={filtered}
          disabled={readOnly}
          onChange={(e) => {
            const copy: Trigger = { ...tr };
            if (e.target.checked) copy.filter = { field: fieldsOf(dir, entity)[0] ?? 'id', op: 'not_empty' };
            else delete copy.filter;
            onChange(copy);
          }}
        />
        <span>{t('pe.scheduleFilter')}</span>
      </label>
      {filtered && (
        <ConditionEditor value={tr.filter} entity={entity} dir={dir} readOnly={readOnly} legend={t('pe.filter')} ops={FILTER_OPS} onChange={(v) => onChange({ ...tr, filter: v })} />
      )}
      <p className="muted">{t(filtered ? 'pe.scheduleHelpFiltered' : 'pe.scheduleHelpAll')}</p>
    </>
  );
}

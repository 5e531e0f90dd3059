import { useState, type FormEvent } from 'react';
import { records, transfer, type AnyRecord, type EntityName, type Page, type TransferInput, type TransferResult } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner } from '../common/ErrorBanner';
import { FormField, inputAria } from '../common/FormField';
import { useTitle } from '../common/hooks';
import { useOrg, userLabel } from '../common/useOrg';
import { t } from '../i18n';
import { messagesFor, splitErrors } from './fieldErrors';

type Source = 'owner' | 'ids';

/** "12, 15 17" → [12, 15, 17]; null when something in it is not an id. */
function parseIds(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0)) return null;
  return [...new Set(parts.map(Number))];
}

/** How many records of entity `owner` owns (pages through the list filtered by owner). */
async function countOwned(entity: EntityName, owner: number): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: Page<AnyRecord> = await records.list(entity, { owner_id: owner, limit: 200, cursor });
    n += page.data.length;
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return n;
}

/**
 * #/admin/transfer: give records to new owners. The source is everything one user owns (a leaving
 * manager) or a list of ids; the targets one or several users (round-robin). A confirmation states
 * the count; the result shows how many each new owner received.
 */
export function TransferScreen({ query }: { query: URLSearchParams }) {
  const org = useOrg();
  const [entity, setEntity] = useState<EntityName>(() => {
    const e = query.get('entity');
    return e === 'contacts' || e === 'deals' ? e : 'companies';
  });
  const [source, setSource] = useState<Source>(query.get('ids') ? 'ids' : 'owner');
  const [from, setFrom] = useState('');
  const [idsText, setIdsText] = useState(query.get('ids') ?? '');
  const [targets, setTargets] = useState<number[]>([]);
  const [confirm, setConfirm] = useState<{ body: TransferInput; count: number } | null>(null);
  const [result, setResult] = useState<TransferResult | null>(null);
  const [errors, setErrors] = useState<{ field: string; message: string }[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('transfer.title'));

  const nameOf = (id: number) => {
    const u = org.users.find((x) => x.id === id);
    return u ? u.name || u.email : `#${id}`;
  };

  async function prepare(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const local: { field: string; message: string }[] = [];
    const body: TransferInput = {};
    let ids: number[] | null = null;
    if (source === 'owner') {
      if (!from) local.push({ field: 'from_user_id', message: t('transfer.needFrom') });
      else body.from_user_id = Number(from);
    } else {
      ids = parseIds(idsText);
      if (!ids || ids.length === 0) local.push({ field: 'ids', message: t('transfer.badIds') });
      else body.ids = ids;
    }
    if (targets.length === 0) local.push({ field: 'to_user_ids', message: t('transfer.needTargets') });
    else if (targets.length === 1) body.to_user_id = targets[0];
    else body.to_user_ids = targets;
    setErrors(local);
    setResult(null);
    setBanner(local.length ? t('error.invalid') : null);
    if (local.length) return;
    setBusy(true);
    try {
      const count = ids ? ids.length : await countOwned(entity, Number(from));
      if (count === 0) {
        setBanner(t('transfer.nothing', { name: nameOf(Number(from)) }));
        return;
      }
      setConfirm({ body, count });
    } catch (err) {
      setBanner(splitErrors(err, []).banner);
    } finally {
      setBusy(false);
    }
  }

  async function run() {
    if (!confirm) return;
    setBusy(true);
    try {
      setResult(await transfer(entity, confirm.body));
      setConfirm(null);
      setBanner(null);
      setErrors([]);
    } catch (err) {
      setConfirm(null);
      const s = splitErrors(err, ['ids', 'from_user_id', 'to_user_id', 'to_user_ids']);
      setErrors(s.errors.map((x) => (x.field === 'to_user_id' ? { ...x, field: 'to_user_ids' } : x)));
      setBanner(s.banner);
    } finally {
      setBusy(false);
    }
  }

  const m = (f: string) => messagesFor(errors, f);
  const active = org.users.filter((u) => u.active !== false);
  const entityName = t(`entity.${entity}.lower`);
  return (
    <section className="page page-narrow">
      <header className="page-header">
        <div>
          <h1>{t('transfer.title')}</h1>
          <p className="subtitle">{t('transfer.subtitle')}</p>
        </div>
      </header>
      <form
        className="record-form"
        noValidate
        aria-label={t('transfer.title')}
        onSubmit={prepare}
      >
        {banner && <ErrorBanner message={banner} />}
        <section className="card form-card">
          <div className="form-grid">
            <FormField name="entity" label={t('transfer.entity')}>
              <select {...inputAria('entity', false)} className="input" value={entity} onChange={(e) => setEntity(e.target.value as EntityName)}>
                <option value="companies">{t('entity.companies')}</option>
                <option value="contacts">{t('entity.contacts')}</option>
                <option value="deals">{t('entity.deals')}</option>
              </select>
            </FormField>
            <FormField name="source" label={t('transfer.source')} group>
              <div className="check-list">
                <label className="check">
                  <input type="radio" name="source" value="owner" checked={source === 'owner'} onChange={() => setSource('owner')} />
                  <span>{t('transfer.fromUser')}</span>
                </label>
                <label className="check">
                  <input type="radio" name="source" value="ids" checked={source === 'ids'} onChange={() => setSource('ids')} />
                  <span>{t('transfer.byIds')}</span>
                </label>
              </div>
            </FormField>
            {source === 'owner' ? (
              <FormField name="from_user_id" label={t('transfer.from')} errors={m('from_user_id')}>
                <select
                  {...inputAria('from_user_id', m('from_user_id').length > 0)}
                  className="input"
                  value={from}
                  onChange={(e) => setFrom(e.target.value)}
                >
                  <option value="">{t('form.choose')}</option>
                  {org.users.map((u) => (
                    <option key={u.id} value={String(u.id)}>
                      {userLabel(u)}
                      {u.active === false ? ` · ${t('users.inactive')}` : ''}
                    </option>
                  ))}
                </select>
              </FormField>
            ) : (
              <FormField name="ids" label={t('transfer.ids')} errors={m('ids')} hint={t('transfer.idsHint')}>
                <input
                  {...inputAria('ids', m('ids').length > 0, true)}
                  className="input mono"
                  autoComplete="off"
                  value={idsText}
                  onChange={(e) => setIdsText(e.target.value)}
                />
              </FormField>
            )}
            <FormField name="to_user_ids" label={t('transfer.to')} errors={m('to_user_ids')} hint={t('transfer.toHint')} group wide>
              <div className="check-list">
                {active
                  .filter((u) => source !== 'owner' || String(u.id) !== from)
                  .map((u) => (
                    <label className="check" key={u.id}>
                      <input
                        type="checkbox"
                        name="to_user_ids"
                        value={String(u.id)}
                        checked={targets.includes(u.id)}
                        onChange={(e) => setTargets((xs) => (e.target.checked ? [...xs, u.id] : xs.filter((x) => x !== u.id)))}
                      />
                      <span>{userLabel(u)}</span>
                    </label>
                  ))}
              </div>
            </FormField>
          </div>
        </section>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.loading') : t('transfer.submit')}
          </button>
        </div>
      </form>
      {result && (
        <section className="card transfer-result" role="status" aria-labelledby="transfer-result-title">
          <h2 className="card-title" id="transfer-result-title">
            {t('transfer.done', { n: result.moved, entity: entityName })}
          </h2>
          <ul className="mini-list">
            {Object.entries(result.owners).map(([id, n]) => (
              <li key={id} data-owner={id}>
                <strong>{nameOf(Number(id))}</strong>: {t('transfer.received', { n })}
              </li>
            ))}
          </ul>
        </section>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('transfer.confirmTitle')}
          message={t(confirm.body.ids ? 'transfer.confirmIds' : 'transfer.confirmOwner', {
            n: confirm.count,
            entity: entityName,
            from: confirm.body.from_user_id ? nameOf(confirm.body.from_user_id) : '',
            to: targets.map(nameOf).join(', '),
          })}
          confirmLabel={t('transfer.confirm', { n: confirm.count })}
          busy={busy}
          onConfirm={run}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

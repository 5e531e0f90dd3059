import { useEffect, useState, type FormEvent } from 'react';
import { salesAdmin, sales, type LostReason } from '../../api';
import { ConfirmDialog } from '../../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../../common/ErrorBanner';
import { useToast } from '../../common/Toast';
import { t } from '../../i18n';
import { LostReasonRow } from './LostReasonRow';

/** The lost reasons: add, rename, retire or reactivate, delete (a reason in use is retired instead). */
export function LostReasonsCard() {
  const toast = useToast();
  const [list, setList] = useState<LostReason[] | null>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<LostReason | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = () =>
    sales
      .lostReasons()
      .then(setList)
      .catch((e) => setProblem(errorText(e)));
  useEffect(() => {
    void reload();
  }, []);

  /** Runs a change, then reloads the list; a refusal shows above it. */
  async function run(change: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(true);
    setProblem(null);
    try {
      await change();
      toast(done);
      await reload();
      return true;
    } catch (e) {
      setProblem(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (await run(() => salesAdmin.createLostReason({ name: name.trim() }), t('lostReasons.saved'))) setName('');
  }

  return (
    <section className="card table-card" aria-labelledby="lost-reasons-title">
      <div className="card-toolbar">
        <h2 className="card-title" id="lost-reasons-title">
          {t('lostReasons.title')}
        </h2>
        <form className="row-inline" onSubmit={add} aria-label={t('lostReasons.add')}>
          <input className="input" name="lost_reason" aria-label={t('lostReasons.new')} placeholder={t('lostReasons.new')} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
            + {t('lostReasons.add')}
          </button>
        </form>
      </div>
      <p className="muted small card-note">{t('lostReasons.subtitle')}</p>
      {problem && <ErrorBanner message={problem} onDismiss={() => setProblem(null)} />}
      {list !== null && list.length === 0 && <p className="placeholder">{t('lostReasons.empty')}</p>}
      {list !== null && list.length > 0 && (
        <div className="table-wrap">
          <table className="data-table lost-reasons">
            <caption className="sr-only">{t('lostReasons.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.name')}</th>
                <th scope="col">{t('field.status')}</th>
                <th scope="col" className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <LostReasonRow
                  key={r.id}
                  reason={r}
                  busy={busy}
                  onRename={(next) => run(() => salesAdmin.updateLostReason(r.id, { name: next }), t('lostReasons.saved'))}
                  onActive={(active) => void run(() => salesAdmin.updateLostReason(r.id, { active }), t('lostReasons.saved'))}
                  onDelete={() => setDeleting(r)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('lostReasons.confirmDeleteTitle')}
          message={t('lostReasons.confirmDelete', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          danger
          busy={busy}
          onConfirm={() => {
            const r = deleting;
            setDeleting(null);
            void run(() => salesAdmin.removeLostReason(r.id), t('lostReasons.deleted'));
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

import './activities.css';
import { useCallback, useEffect, useState } from 'react';
import { activities, etagOf, type Activity } from '../api';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { ErrorBanner, errorText } from '../common/ErrorBanner';
import { useTitle } from '../common/hooks';
import { useToast } from '../common/Toast';
import { t } from '../i18n';
import { can } from '../rights';
import { navigate } from '../router';
import { DocumentsCard } from '../documents/DocumentsCard';
import { ActivityDetails } from './ActivityDetails';
import { CommentsCard } from './CommentsCard';
import { activityTitle } from './activityText';
import { KindIcon } from './KindIcon';
import { kindLabel } from './kinds';
import { PersonSelect } from './PersonSelect';
import { useUsers } from '../common/inputs';

/**
 * #/activities/7: an activity, with Complete / Reopen for a task, Edit, Move to trash, and its
 * assignee changed in place (two clicks; the server tells the old and the new one).
 */
export function ActivityView({ id }: { id: number }) {
  const toast = useToast();
  const [a, setA] = useState<Activity | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const users = useUsers();
  useTitle(a ? activityTitle(a) : t('activities.title'));

  const load = useCallback(() => {
    activities
      .get(id)
      .then((r) => {
        setA(r.data);
        setEtag(etagOf(r));
      })
      .catch(setError);
  }, [id]);
  useEffect(load, [load]);

  async function act(what: 'complete' | 'reopen') {
    if (!a) return;
    setBusy(true);
    setBanner(null);
    try {
      const r = await activities[what](a.id, etag);
      setA(r.data);
      setEtag(etagOf(r));
      toast(t(what === 'complete' ? 'activity.completed' : 'activity.reopened'));
    } catch (e) {
      setBanner(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function reassign(owner: number | null) {
    if (!a || owner === null || owner === a.owner_id) return;
    setBusy(true);
    setBanner(null);
    try {
      const r = await activities.update(a.id, { owner_id: owner }, etag);
      setA(r.data);
      setEtag(etagOf(r));
      const u = users.find((x) => x.id === owner);
      toast(t('activity.reassigned', { name: u ? u.name || u.email : `#${owner}` }));
    } catch (e) {
      setBanner(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!a) return;
    try {
      await activities.remove(a.id);
      toast(t('activity.deleted'));
      navigate('/activities');
    } catch (e) {
      setConfirming(false);
      setBanner(errorText(e));
    }
  }

  if (error) return <section className="page"><ErrorBanner error={error} /></section>;
  if (!a) return <section className="page"><div className="card placeholder">{t('common.loading')}</div></section>;
  const mayChange = can('activities', 'update');
  return (
    <section className="page page-narrow">
      <nav className="breadcrumbs">
        <a href="#/activities">{t('activities.title')}</a>
      </nav>
      <header className="page-header record-header">
        <div className="record-title">
          <KindIcon name={a.kind} />
          <div>
            <h1>{activityTitle(a)}</h1>
            <div className="subtitle">{t(kindLabel(a.kind))}</div>
          </div>
        </div>
        <div className="page-actions">
          {mayChange && can('activities', 'assign') && (
            <label className="inline-field">
              <span>{t(a.kind === 'task' ? 'field.assignee' : 'field.owner')}</span>
              <PersonSelect id="activity-owner" value={a.owner_id} onChange={(v) => void reassign(v)} />
            </label>
          )}
          {can('activities', 'delete') && (
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)}>
              {t('common.moveToTrash')}
            </button>
          )}
          {mayChange && a.kind === 'task' && a.status === 'open' && (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act('complete')}>
              {t('activity.complete')}
            </button>
          )}
          {mayChange && a.kind === 'task' && a.status !== 'open' && (
            <button type="button" className="btn" disabled={busy} onClick={() => void act('reopen')}>
              {t('activity.reopen')}
            </button>
          )}
          {mayChange && (
            <a className="btn" href={`#/activities/${a.id}/edit`}>
              {t('common.edit')}
            </a>
          )}
        </div>
      </header>
      {banner && <ErrorBanner message={banner} onDismiss={() => setBanner(null)} />}
      <section className="card">
        <ActivityDetails a={a} />
      </section>
      <CommentsCard activityId={a.id} />
      <DocumentsCard entity="activities" id={a.id} />
      {confirming && (
        <ConfirmDialog
          title={t('activity.confirmDeleteTitle')}
          message={t('activity.confirmDelete', { name: activityTitle(a) })}
          confirmLabel={t('common.moveToTrash')}
          danger
          onConfirm={remove}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

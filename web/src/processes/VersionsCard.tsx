import type { ProcessTemplate } from '../api';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { href } from '../router';

/** The template's versions, newest first; each older one opens read only. */
export function VersionsCard({ tpl, viewing }: { tpl: ProcessTemplate; viewing: number | null }) {
  return (
    <section className="card pe-versions" aria-label={t('processes.versions')}>
      <h2 className="card-title">{t('processes.versions')}</h2>
      <ul>
        {tpl.versions.map((v) => {
          const current = v.version === tpl.version;
          const open = viewing === null ? current : viewing === v.version;
          return (
            <li key={v.version} className={open ? 'open' : ''}>
              <a href={href(`/admin/processes/${tpl.id}`, current ? undefined : { v: String(v.version) })} aria-current={open ? 'page' : undefined}>
                {t('processes.versionRow', { v: v.version, at: formatDateTime(v.created_at) })}
              </a>
              {current && <span className="muted"> · {t('pe.current')}</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

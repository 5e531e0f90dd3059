import type { ImportEntity } from '../api';
import { t } from '../i18n';
import { can } from '../rights';

/** "Import" beside a list's Export: a new import into that list, for a role with the import right. */
export function ImportLink({ entity }: { entity: ImportEntity }) {
  if (!can(entity, 'import')) return null;
  return (
    <a className="btn btn-ghost" href={`#/imports/new?entity=${entity}`}>
      {t('imports.importButton')}
    </a>
  );
}

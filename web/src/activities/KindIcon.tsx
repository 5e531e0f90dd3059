import type { ActivityKind } from '../api';
import { t } from '../i18n';
import { kindLabel } from './kinds';

/** Icons of the activity kinds and of the timeline's other entries (field changes, stage moves). */
export type IconName = ActivityKind | 'change' | 'stage' | 'document';

const paths: Record<IconName, string> = {
  task: 'M4 10.5 8 14.5 16 5.5',
  call: 'M5 3h3l1.5 4-2 1.2a9 9 0 0 0 4.3 4.3L13 10.5l4 1.5v3a2 2 0 0 1-2 2A12 12 0 0 1 3 5a2 2 0 0 1 2-2Z',
  meeting: 'M3.5 5h13v11.5h-13ZM3.5 8.5h13M7 3v3.5M13 3v3.5',
  email: 'M3 5h14v10H3ZM3 5l7 6 7-6',
  note: 'M5 3h7l3 3v11H5ZM12 3v3h3M7.5 10h5M7.5 13h5',
  chat: 'M4 4h12v9H9l-4 3v-3H4ZM7 8h6M7 10.5h4',
  change: 'M4 16l1-4 8-8 3 3-8 8ZM11.5 5.5l3 3',
  stage: 'M3 10h11M10 5.5 14.5 10 10 14.5M17 4v12',
  document: 'M13.5 9 8.3 14.2a2.5 2.5 0 0 1-3.5-3.5l6.4-6.4a1.7 1.7 0 0 1 2.4 2.4l-6.2 6.2',
};

/** A small icon with its name for screen readers (or hidden when the text next to it says it). */
export function KindIcon({ name, decorative }: { name: IconName; decorative?: boolean }) {
  const label =
    name === 'change' ? t('timeline.type.change') : name === 'stage' ? t('timeline.type.stage') : name === 'document' ? t('timeline.type.document') : t(kindLabel(name));
  return (
    <span className={`kind-icon kind-${name}`} role={decorative ? undefined : 'img'} aria-label={decorative ? undefined : label} aria-hidden={decorative || undefined} title={label}>
      <svg viewBox="0 0 20 20" aria-hidden="true">
        <path d={paths[name]} fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
}

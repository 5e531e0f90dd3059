import { t } from '../i18n';

/** Milliseconds in the two largest human units: "3 d 4 h", "2 h 5 min", "under a minute". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const min = Math.floor(ms / 60000);
  if (min < 1) return t('duration.lessMinute');
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const parts: string[] = [];
  if (d) parts.push(t('duration.d', { n: d }));
  if (h || (d && !parts.length)) parts.push(t('duration.h', { n: h }));
  if (!d && m) parts.push(t('duration.min', { n: m }));
  return parts.slice(0, 2).join(' ');
}

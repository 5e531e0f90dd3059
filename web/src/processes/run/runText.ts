import type { ProcessInstance, RunStep } from '../../api';
import { t, type Key } from '../../i18n';

export function statusLabel(s: ProcessInstance['status']): string {
  return t(`prun.status.${s}` as Key);
}

export function stepStatusLabel(s: RunStep['status']): string {
  return t(`prun.step.${s}` as Key);
}

/** A duration in milliseconds in the largest unit that fits: "3 d", "5 h", "12 min". */
export function formatSpan(ms: number): string {
  const min = Math.round(ms / 60000);
  if (min < 60) return t('prun.minutes', { n: min });
  const h = Math.round(min / 60);
  if (h < 48) return t('prun.hours', { n: h });
  return t('prun.days', { n: Math.round(h / 24) });
}

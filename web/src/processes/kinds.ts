// Step kinds and units in the user's words.
import { t, type Key } from '../i18n';
import type { StepKind, Unit } from './types';

const KIND: Record<StepKind, Key> = {
  task: 'pe.kind.task',
  approval: 'pe.kind.approval',
  condition: 'pe.kind.condition',
  wait: 'pe.kind.wait',
  set_field: 'pe.kind.set_field',
  move_stage: 'pe.kind.move_stage',
  notify: 'pe.kind.notify',
  email: 'pe.kind.email',
  create_record: 'pe.kind.create_record',
  webhook: 'pe.kind.webhook',
  start_process: 'pe.kind.start_process',
  end: 'pe.kind.end',
};

export const kindLabel = (k: string): string => (k in KIND ? t(KIND[k as StepKind]) : k);

export const UNITS: Unit[] = ['minutes', 'hours', 'days', 'work_hours', 'work_days'];
const UNIT: Record<Unit, Key> = {
  minutes: 'pe.unit.minutes',
  hours: 'pe.unit.hours',
  days: 'pe.unit.days',
  work_hours: 'pe.unit.work_hours',
  work_days: 'pe.unit.work_days',
};
export const unitLabel = (u: Unit): string => t(UNIT[u]);

import type { ReactNode } from 'react';
import type { FieldError } from '../api';
import { errorsFor, FormField, inputAria } from '../common/FormField';
import { CompanyPicker, OwnerSelect } from '../common/inputs';
import { t, type Key } from '../i18n';
import { isHidden, isReadonly } from '../rights';
import { ChecklistEditor } from './ChecklistEditor';
import type { Draft } from './draft';
import { DueInput } from './DueInput';
import { hasField, KIND_STATUSES, PRIORITIES, statusLabel, type ActivityField } from './kinds';
import { LinkPicker } from './LinkPicker';
import { OverloadWarning } from './OverloadWarning';
import { ParticipantsPicker } from './ParticipantsPicker';
import { RecurrenceEditor, RemindersPicker } from './Schedule';

interface Props {
  draft: Draft;
  errors: FieldError[];
  onChange: (d: Draft) => void;
  /** The task being edited (null: a new one), for the overload warning. */
  activityId?: number | null;
}

/** The fields of the draft's kind, each with the server's messages for it beside it. */
export function ActivityFields({ draft: d, errors, onChange, activityId = null }: Props) {
  const set = (patch: Partial<Draft>) => onChange({ ...d, ...patch });
  const own = (name: string) => errorsFor(errors, name).filter((e) => !/\[\d+\]/.test(e.field));

  /** A labelled row; `render` gets the input's id and aria attributes. */
  function row(name: string, label: Key, render: (aria: Record<string, string | boolean | undefined>) => ReactNode, opts: { wide?: boolean; required?: boolean; hint?: string; group?: boolean } = {}) {
    if (isHidden('activities', name)) return null;
    const errs = own(name);
    const aria = inputAria(name, errs.length > 0, !!opts.hint);
    const input = render(aria);
    return (
      <FormField key={name} name={name} label={t(label)} required={opts.required} errors={errs.map((e) => e.message)} wide={opts.wide} hint={opts.hint} group={opts.group}>
        {isReadonly('activities', name) ? (
          <fieldset className="readonly-wrap" disabled title={t('rights.readonlyField')}>
            {input}
          </fieldset>
        ) : (
          input
        )}
      </FormField>
    );
  }
  const text = (name: keyof Draft & ActivityField | 'subject', label: Key, type = 'text', opts: { wide?: boolean; required?: boolean } = {}) =>
    row(name, label, (aria) => (
      <input {...aria} name={name} className="input" type={type} autoComplete="off" value={d[name] as string} onChange={(e) => set({ [name]: e.target.value } as Partial<Draft>)} />
    ), opts);
  const time = (name: 'start_at' | 'end_at', label: Key, required = false) =>
    row(name, label, (aria) => (
      <input {...aria} name={name} className="input" type="datetime-local" value={d[name]} onChange={(e) => set({ [name]: e.target.value })} />
    ), { required });
  const describedBy = (aria: Record<string, string | boolean | undefined>) => aria['aria-describedby'] as string | undefined;
  const k = d.kind;
  const is = (f: ActivityField) => hasField(k, f);

  return (
    <div className="form-grid">
      {text('subject', 'field.subject', 'text', { wide: true, required: k !== 'note' && k !== 'chat' })}
      {is('status') &&
        row('status', 'field.status', (aria) => (
          <select {...aria} name="status" className="input" value={d.status} onChange={(e) => set({ status: e.target.value })}>
            {KIND_STATUSES[k].map((s) => (
              <option key={s} value={s}>
                {t(statusLabel(s))}
              </option>
            ))}
          </select>
        ))}
      {is('priority') &&
        row('priority', 'field.priority', (aria) => (
          <select {...aria} name="priority" className="input" value={d.priority} onChange={(e) => set({ priority: e.target.value })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`activity.priority.${p}`)}
              </option>
            ))}
          </select>
        ))}
      {is('due_at') &&
        row('due_at', 'field.due_at', (aria) => (
          <DueInput id={aria.id as string} value={d.due_at} dateOnly={d.dueDateOnly} invalid={!!aria['aria-invalid']} describedBy={describedBy(aria)} onChange={(v, only) => set({ due_at: v, dueDateOnly: only })} />
        ))}
      {is('direction') &&
        row('direction', 'field.direction', (aria) => (
          <select {...aria} name="direction" className="input" value={d.direction} onChange={(e) => set({ direction: e.target.value })}>
            <option value="out">{t('activity.direction.out')}</option>
            <option value="in">{t('activity.direction.in')}</option>
          </select>
        ), { required: true })}
      {is('phone') && text('phone', 'field.phone', 'tel')}
      {is('start_at') && time('start_at', k === 'task' ? 'field.plannedStart' : 'field.start_at', k === 'meeting')}
      {is('end_at') && time('end_at', 'field.end_at')}
      {is('duration_s') && text('duration_s', 'field.duration_s', 'number')}
      {is('result') && text('result', 'field.result')}
      {is('place') && text('place', 'field.place', 'text', { wide: true })}
      {is('email_from') && text('email_from', 'field.email_from', 'email')}
      {is('email_to') && text('email_to', 'field.email_to', 'text', { wide: true })}
      {is('estimate_min') && text('estimate_min', 'field.estimate_min', 'number')}
      {is('spent_min') && text('spent_min', 'field.spent_min', 'number')}
      {row('owner_id', k === 'task' ? 'field.assignee' : 'field.owner', (aria) => (
        <OwnerSelect id={aria.id as string} value={d.owner_id} invalid={!!aria['aria-invalid']} describedBy={describedBy(aria)} onChange={(v) => set({ owner_id: v })} />
      ))}
      {k === 'task' && <OverloadWarning draft={d} activityId={activityId} />}
      {is('participants') &&
        row('participants', 'field.participants', (aria) => (
          <ParticipantsPicker id={aria.id as string} value={d.participants} ownerId={d.owner_id ? Number(d.owner_id) : null} onChange={(v) => set({ participants: v })} />
        ), { wide: true })}
      {row('company_id', 'field.company', (aria) => (
        <CompanyPicker id={aria.id as string} value={d.company} invalid={!!aria['aria-invalid']} describedBy={describedBy(aria)} onChange={(v) => set({ company: v })} />
      ))}
      {row('contact_id', 'field.contact', (aria) => (
        <LinkPicker id={aria.id as string} entity="contacts" value={d.contact} invalid={!!aria['aria-invalid']} describedBy={describedBy(aria)} onChange={(v) => set({ contact: v })} />
      ))}
      {row('deal_id', 'field.deal', (aria) => (
        <LinkPicker id={aria.id as string} entity="deals" value={d.deal} invalid={!!aria['aria-invalid']} describedBy={describedBy(aria)} onChange={(v) => set({ deal: v })} />
      ))}
      {row('body', k === 'note' ? 'field.note' : 'field.description', (aria) => (
        <textarea {...aria} name="body" className="input" rows={k === 'note' ? 6 : 4} value={d.body} onChange={(e) => set({ body: e.target.value })} />
      ), { wide: true, required: k === 'note' || k === 'chat' })}
      {is('reminders') &&
        row('reminders', 'act.reminders', (aria) => (
          <RemindersPicker id={aria.id as string} value={d.reminders} describedBy={describedBy(aria)} onChange={(v) => set({ reminders: v })} />
        ), { wide: true, hint: t('act.reminders.hint'), group: true })}
      {is('recurrence') &&
        row('recurrence', 'act.recurrence', (aria) => (
          <RecurrenceEditor id={aria.id as string} value={d.recurrence} hasDue={!!d.due_at} onChange={(v) => set({ recurrence: v })} />
        ), { wide: true, group: true })}
      {is('checklist') &&
        row('checklist', 'field.checklist', (aria) => (
          <ChecklistEditor
            id={aria.id as string}
            items={d.checklist}
            errorsAt={(i) => errorsFor(errors, `checklist[${i}]`).map((e) => e.message)}
            onChange={(v) => set({ checklist: v })}
          />
        ), { wide: true })}
    </div>
  );
}

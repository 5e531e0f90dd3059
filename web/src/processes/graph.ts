// Pure helpers over a definition's graph: the outputs a step has, the edges they draw, and the
// edits the canvas makes (add, remove, connect). No React here, so the rules read in one place.
import type { Definition, Step, StepKind } from './types';

/** An output handle of a step: where an edge leaves and which member it is stored in. */
export interface Output {
  /** 'next', or the branch's answer ('approve', 'reject', 'true', 'false'). */
  name: string;
  target: string | undefined;
}

/** The outputs a step of this kind has: one per answer for approvals and two-way conditions. */
export function outputsOf(step: Step): Output[] {
  switch (step.kind) {
    case 'end':
      return [];
    case 'approval':
      return ['approve', 'reject'].map((a) => ({ name: a, target: step.branches?.[a] }));
    case 'condition':
      if (Array.isArray(step.cases)) {
        const cases = step.cases as { next?: string }[];
        return [
          ...cases.map((c, i) => ({ name: `case ${i + 1}`, target: c.next })),
          { name: 'default', target: typeof step.default === 'string' ? step.default : undefined },
        ];
      }
      return ['true', 'false'].map((a) => ({ name: a, target: step.branches?.[a] }));
    default:
      return [{ name: 'next', target: step.next }];
  }
}

/** Sets (or, with undefined, clears) the target of one output; returns a new step. */
export function connect(step: Step, output: string, target: string | undefined): Step {
  const s: Step = { ...step };
  if (output === 'next') {
    if (target === undefined) delete s.next;
    else s.next = target;
  } else if (output === 'default') {
    if (target === undefined) delete s.default;
    else s.default = target;
  } else if (output.startsWith('case ')) {
    const i = Number(output.slice(5)) - 1;
    const cases = [...((s.cases as { next?: string }[]) ?? [])];
    if (cases[i]) cases[i] = { ...cases[i], next: target };
    s.cases = cases;
  } else {
    const b = { ...(s.branches ?? {}) };
    if (target === undefined) delete b[output];
    else b[output] = target;
    s.branches = b;
  }
  return s;
}

/** A fresh step of a kind with the members its kind requires filled with sensible defaults. */
export function newStep(kind: StepKind, id: string, name: string, x: number, y: number): Step {
  const s: Step = { id, kind, name, position: { x, y } };
  switch (kind) {
    case 'task':
      s.responsible = 'record_owner';
      break;
    case 'approval':
      s.approver = 'owner_head';
      s.branches = {};
      break;
    case 'condition':
      s.condition = { field: 'id', op: 'not_empty' };
      s.branches = {};
      break;
    case 'wait':
      s.duration = { amount: 1, unit: 'days' };
      break;
    case 'notify':
      s.to = ['record_owner'];
      s.text = '{{process.name}}: {{record.name}}';
      break;
    case 'email':
      s.to = ['record_owner'];
      s.subject = '{{process.name}}';
      s.text = '{{record.name}}';
      break;
    case 'set_field':
      s.field = '';
      s.value = '';
      break;
    case 'move_stage':
      s.stage_id = 0;
      break;
    case 'create_record':
      s.entity = 'activities';
      s.values = {};
      break;
    case 'webhook':
      s.url = 'https://';
      break;
    case 'start_process':
      s.template = '';
      break;
    default:
      break;
  }
  return s;
}

/** The first free id `kind_N`. */
export function freeId(def: Definition, kind: string): string {
  const taken = new Set(def.steps.map((s) => s.id));
  for (let i = 1; ; i++) {
    const id = `${kind}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Removes a step and every edge that led to it. */
export function removeStep(def: Definition, id: string): Definition {
  const steps = def.steps
    .filter((s) => s.id !== id)
    .map((s) => {
      let out = s;
      for (const o of outputsOf(s)) if (o.target === id) out = connect(out, o.name, undefined);
      const dl = out.deadline;
      if (dl?.on_overdue?.action === 'branch' && dl.on_overdue.step === id) out = { ...out, deadline: { ...dl, on_overdue: { action: 'remind' } } };
      return out;
    });
  const start = def.start === id ? (steps[0]?.id ?? '') : def.start;
  return { ...def, steps, start };
}

/** Renames a step's id and every reference to it. */
export function renameStep(def: Definition, from: string, to: string): Definition {
  const steps = def.steps.map((s) => {
    let out = s.id === from ? { ...s, id: to } : s;
    for (const o of outputsOf(out)) if (o.target === from) out = connect(out, o.name, to);
    const dl = out.deadline;
    if (dl?.on_overdue?.action === 'branch' && dl.on_overdue.step === from) out = { ...out, deadline: { ...dl, on_overdue: { ...dl.on_overdue, step: to } } };
    return out;
  });
  return { ...def, steps, start: def.start === from ? to : def.start };
}

/** The step an error's `field` names (`steps[3].branches` → the fourth step's id), if any. */
export function stepOfError(def: Definition, field: string): string | null {
  const m = /^steps\[(\d+)\]/.exec(field);
  if (!m) return null;
  return def.steps[Number(m[1])]?.id ?? null;
}

/** A position for a step that has none: a column, top to bottom. */
export function placed(def: Definition): Definition {
  if (def.steps.every((s) => s.position)) return def;
  return { ...def, steps: def.steps.map((s, i) => (s.position ? s : { ...s, position: { x: 40, y: 40 + i * 120 } })) };
}

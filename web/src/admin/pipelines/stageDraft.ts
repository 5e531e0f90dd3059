// A pipeline's form state: stage rows as typed, turned into the body of POST/PATCH /pipelines.
// Numbers that are not whole numbers are sent as typed, so the server's message shows on the row.
import type { Pipeline, PipelineInput, StageKind } from '../../api';

export interface StageDraft {
  /** Stable React key of the row (an id is only there for stages already saved). */
  key: string;
  id?: number;
  name: string;
  probability: string;
  time_limit_days: string;
  kind: StageKind;
}

export interface PipelineDraft {
  name: string;
  stages: StageDraft[];
}

let seq = 0;
export const newKey = (): string => `s${++seq}`;

export function emptyStage(kind: StageKind = 'open'): StageDraft {
  return { key: newKey(), name: '', probability: '', time_limit_days: '', kind };
}

/** The draft of an existing pipeline, or of a new one (one open stage, won, lost). */
export function toDraft(p: Pipeline | null): PipelineDraft {
  if (!p) return { name: '', stages: [emptyStage('open'), emptyStage('won'), emptyStage('lost')] };
  const stages = [...p.stages].sort((a, b) => a.position - b.position || a.id - b.id);
  return {
    name: p.name,
    stages: stages.map((s) => ({
      key: newKey(),
      id: s.id,
      name: s.name,
      probability: s.probability === null ? '' : String(s.probability),
      time_limit_days: s.time_limit_days === null ? '' : String(s.time_limit_days),
      kind: s.kind,
    })),
  };
}

function whole(text: string): number | null {
  const s = text.trim();
  if (!s) return null;
  return /^\d+$/.test(s) ? Number(s) : (s as unknown as number);
}

export function toInput(d: PipelineDraft): PipelineInput {
  return {
    name: d.name.trim(),
    stages: d.stages.map((s) => ({
      ...(s.id ? { id: s.id } : {}),
      name: s.name.trim(),
      probability: whole(s.probability),
      time_limit_days: whole(s.time_limit_days),
      kind: s.kind,
    })),
  };
}

/** The list with row i moved by delta (−1 up, +1 down); unchanged at the ends. */
export function moveRow<T>(xs: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= xs.length) return xs;
  const next = [...xs];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

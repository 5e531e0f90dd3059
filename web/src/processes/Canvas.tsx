import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { t } from '../i18n';
import { connect, outputsOf } from './graph';
import { kindLabel } from './kinds';
import type { Definition, Step } from './types';

export const BOX_W = 180;
export const BOX_H = 56;
const PAD = 40;
const STEP_KEY = 10;

/** What is selected on the canvas: a step, an edge (its source and output), or nothing. */
export type Selection = { step: string } | { edge: { from: string; output: string } } | null;

interface Props {
  def: Definition;
  selection: Selection;
  errors: Map<string, string[]>;
  readOnly: boolean;
  onSelect: (s: Selection) => void;
  onChange: (def: Definition) => void;
  onRemoveStep: (id: string) => void;
  onDropKind: (kind: string, x: number, y: number) => void;
  /** How far a running instance got, by step id ('done', 'waiting', 'overdue'): a class on its box. */
  marks?: Map<string, string>;
}

type Drag =
  | { type: 'move'; id: string; dx: number; dy: number; x: number; y: number }
  | { type: 'link'; from: string; output: string; sx: number; sy: number; x: number; y: number };

const pos = (s: Step) => s.position ?? { x: 0, y: 0 };

/** Where output i of n leaves a box: spread along its bottom edge. */
function handleAt(s: Step, i: number, n: number, shift: { x: number; y: number }) {
  const p = pos(s);
  return { x: p.x + shift.x + (BOX_W * (i + 1)) / (n + 1), y: p.y + shift.y + BOX_H };
}

/** An arrow from a handle to the top middle of a box; one that goes back up curves round the side. */
function arrowPath(sx: number, sy: number, tx: number, ty: number): string {
  if (ty >= sy) {
    const dy = Math.max(30, (ty - sy) / 2);
    return `M${sx} ${sy} C${sx} ${sy + dy} ${tx} ${ty - dy} ${tx} ${ty}`;
  }
  const side = Math.max(sx, tx) + BOX_W / 2 + 30;
  return `M${sx} ${sy} C${sx} ${sy + 60} ${side} ${sy + 60} ${side} ${(sy + ty) / 2} S${tx} ${ty - 60} ${tx} ${ty}`;
}

/**
 * The process drawn as boxes and arrows in plain SVG. Steps are dragged with the pointer or moved
 * with the arrow keys (each box is focusable, so Tab walks the steps); an arrow is made by dragging
 * from one of a step's output handles onto another step; an arrow is selected by a click and
 * removed with Delete. The parent owns the definition: every change comes back through onChange.
 */
export function Canvas({ def, selection, errors, readOnly, onSelect, onChange, onRemoveStep, onDropKind, marks }: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const minX = Math.min(0, ...def.steps.map((s) => pos(s).x));
  const minY = Math.min(0, ...def.steps.map((s) => pos(s).y));
  const shift = { x: PAD - minX, y: PAD - minY };
  const width = Math.max(900, ...def.steps.map((s) => pos(s).x + shift.x + BOX_W * 2 + PAD));
  const height = Math.max(520, ...def.steps.map((s) => pos(s).y + shift.y + BOX_H + 160));
  const byId = new Map(def.steps.map((s) => [s.id, s]));

  function local(e: { clientX: number; clientY: number }) {
    const r = svgRef.current?.getBoundingClientRect();
    return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
  }

  function stepAt(x: number, y: number): Step | undefined {
    return [...def.steps].reverse().find((s) => {
      const p = pos(s);
      return x >= p.x + shift.x && x <= p.x + shift.x + BOX_W && y >= p.y + shift.y && y <= p.y + shift.y + BOX_H;
    });
  }

  function moveTo(id: string, x: number, y: number) {
    const clamp = (v: number) => Math.max(-100000, Math.min(100000, Math.round(v)));
    onChange({ ...def, steps: def.steps.map((s) => (s.id === id ? { ...s, position: { x: clamp(x), y: clamp(y) } } : s)) });
  }

  function startMove(e: PointerEvent, s: Step) {
    onSelect({ step: s.id });
    if (readOnly || e.button !== 0) return;
    const p = local(e);
    svgRef.current?.setPointerCapture(e.pointerId);
    setDrag({ type: 'move', id: s.id, dx: p.x - (pos(s).x + shift.x), dy: p.y - (pos(s).y + shift.y), x: p.x, y: p.y });
  }

  function startLink(e: PointerEvent, s: Step, output: string, hx: number, hy: number) {
    e.stopPropagation();
    if (readOnly || e.button !== 0) return;
    svgRef.current?.setPointerCapture(e.pointerId);
    setDrag({ type: 'link', from: s.id, output, sx: hx, sy: hy, x: hx, y: hy });
  }

  function onMove(e: PointerEvent) {
    if (!drag) return;
    const p = local(e);
    setDrag({ ...drag, x: p.x, y: p.y });
  }

  function onUp(e: PointerEvent) {
    if (!drag) return;
    const p = local(e);
    setDrag(null);
    if (drag.type === 'move') {
      const s = byId.get(drag.id);
      const nx = p.x - drag.dx - shift.x;
      const ny = p.y - drag.dy - shift.y;
      if (s && (nx !== pos(s).x || ny !== pos(s).y)) moveTo(drag.id, nx, ny);
      return;
    }
    const target = stepAt(p.x, p.y);
    const from = byId.get(drag.from);
    if (!target || !from) return;
    onChange({ ...def, steps: def.steps.map((s) => (s.id === from.id ? connect(s, drag.output, target.id) : s)) });
    onSelect({ edge: { from: from.id, output: drag.output } });
  }

  function stepKey(e: KeyboardEvent, s: Step) {
    if (readOnly) return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-STEP_KEY, 0], ArrowRight: [STEP_KEY, 0], ArrowUp: [0, -STEP_KEY], ArrowDown: [0, STEP_KEY] };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      moveTo(s.id, pos(s).x + m[0], pos(s).y + m[1]);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      onRemoveStep(s.id);
    }
  }

  function removeEdge(from: string, output: string) {
    onChange({ ...def, steps: def.steps.map((s) => (s.id === from ? connect(s, output, undefined) : s)) });
    onSelect(null);
  }

  const drawn = (s: Step): Step => (drag?.type === 'move' && drag.id === s.id ? { ...s, position: { x: drag.x - drag.dx - shift.x, y: drag.y - drag.dy - shift.y } } : s);

  return (
    <div
      className="process-canvas-wrap"
      onDragOver={(e) => !readOnly && e.preventDefault()}
      onDrop={(e) => {
        const kind = e.dataTransfer.getData('application/x-crm-step');
        if (!kind || readOnly) return;
        e.preventDefault();
        const p = local(e);
        onDropKind(kind, p.x - shift.x - BOX_W / 2, p.y - shift.y - BOX_H / 2);
      }}
    >
      <svg
        ref={svgRef}
        className="process-canvas"
        width={width}
        height={height}
        role="group"
        aria-label={t('pe.canvas')}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => setDrag(null)}
        onPointerDown={(e) => e.target === svgRef.current && onSelect(null)}
      >
        <defs>
          <marker id="pe-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M0 0 L10 5 L0 10 z" className="pe-arrow-head" />
          </marker>
        </defs>
        {def.steps.map((raw) => {
          const s = drawn(raw);
          const outs = outputsOf(s);
          return outs.map((o, i) => {
            const target = o.target ? byId.get(o.target) : undefined;
            if (!target) return null;
            const tp = pos(drawn(target));
            const h = handleAt(s, i, outs.length, shift);
            const d = arrowPath(h.x, h.y, tp.x + shift.x + BOX_W / 2, tp.y + shift.y);
            const sel = selection && 'edge' in selection && selection.edge.from === s.id && selection.edge.output === o.name;
            const label = t('pe.edgeLabel', { from: s.name, to: target.name, output: outputLabel(o.name) });
            return (
              <g
                key={`${s.id}:${o.name}`}
                className={sel ? 'pe-edge selected' : 'pe-edge'}
                data-edge={`${s.id}:${o.name}:${target.id}`}
                tabIndex={0}
                role="button"
                aria-label={label}
                aria-pressed={!!sel}
                onPointerDown={(e) => {
                  e.stopPropagation();
                  onSelect({ edge: { from: s.id, output: o.name } });
                }}
                onFocus={() => onSelect({ edge: { from: s.id, output: o.name } })}
                onKeyDown={(e) => {
                  if (!readOnly && (e.key === 'Delete' || e.key === 'Backspace')) {
                    e.preventDefault();
                    removeEdge(s.id, o.name);
                  }
                }}
              >
                <path className="pe-edge-hit" d={d} />
                <path className="pe-edge-line" d={d} markerEnd="url(#pe-arrow)" />
                {o.name !== 'next' && (
                  <text className="pe-edge-label" x={h.x + 4} y={h.y + 16}>
                    {outputLabel(o.name)}
                  </text>
                )}
              </g>
            );
          });
        })}
        {drag?.type === 'link' && <path className="pe-edge-draft" d={`M${drag.sx} ${drag.sy} L${drag.x} ${drag.y}`} markerEnd="url(#pe-arrow)" />}
        {def.steps.map((raw) => {
          const s = drawn(raw);
          const p = pos(s);
          const x = p.x + shift.x;
          const y = p.y + shift.y;
          const errs = errors.get(s.id) ?? [];
          const sel = !!selection && 'step' in selection && selection.step === s.id;
          const outs = outputsOf(s);
          return (
            <g key={s.id} className={`pe-step kind-${s.kind}${sel ? ' selected' : ''}${errs.length ? ' has-error' : ''}${marks?.has(s.id) ? ` run-${marks.get(s.id)}` : ''}`} data-step={s.id}>
              <g
                tabIndex={0}
                role="button"
                aria-label={`${s.name} (${kindLabel(s.kind)})`}
                aria-pressed={sel}
                onPointerDown={(e) => startMove(e, raw)}
                onFocus={() => onSelect({ step: s.id })}
                onKeyDown={(e) => stepKey(e, raw)}
              >
                <rect className="pe-box" x={x} y={y} width={BOX_W} height={BOX_H} rx={8} />
                <text className="pe-kind" x={x + 10} y={y + 18}>
                  {kindLabel(s.kind)}
                  {def.start === s.id ? ` · ${t('pe.start')}` : ''}
                </text>
                <text className="pe-name" x={x + 10} y={y + 38}>
                  {s.name.length > 22 ? `${s.name.slice(0, 21)}…` : s.name}
                </text>
              </g>
              {errs.length > 0 && (
                <g className="pe-badge" aria-label={t('pe.stepErrors', { n: errs.length })} role="img">
                  <title>{errs.join('\n')}</title>
                  <circle cx={x + BOX_W} cy={y} r={10} />
                  <text x={x + BOX_W} y={y} textAnchor="middle" dominantBaseline="central">
                    {errs.length}
                  </text>
                </g>
              )}
              {!readOnly &&
                outs.map((o, i) => {
                  const h = handleAt(s, i, outs.length, shift);
                  return (
                    <circle
                      key={o.name}
                      className={o.target ? 'pe-handle linked' : 'pe-handle'}
                      data-output={`${s.id}:${o.name}`}
                      cx={h.x}
                      cy={h.y}
                      r={7}
                      onPointerDown={(e) => startLink(e, raw, o.name, h.x, h.y)}
                    >
                      <title>{t('pe.handle', { output: outputLabel(o.name) })}</title>
                    </circle>
                  );
                })}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** A branch's answer in the user's words. */
export function outputLabel(name: string): string {
  switch (name) {
    case 'next':
      return t('pe.out.next');
    case 'approve':
      return t('pe.out.approve');
    case 'reject':
      return t('pe.out.reject');
    case 'true':
      return t('pe.out.true');
    case 'false':
      return t('pe.out.false');
    case 'default':
      return t('pe.out.default');
    default:
      return name;
  }
}

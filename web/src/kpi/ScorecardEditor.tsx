import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, KPI_METRICS, kpi, roles as rolesApi, type KpiLine, type KpiMetric, type KpiPeriodKind, type KpiRule, type KpiScorecard, type KpiScorecardInput, type Role } from '../api';
import { errorText } from '../common/ErrorBanner';
import { useToast } from '../common/Toast';
import { useOrg } from '../common/useOrg';
import { t } from '../i18n';
import { editValue, parseValue } from './format';

/** A line as typed: every number still text, checked on saving. */
interface Draft {
  metric: KpiMetric;
  target: string;
  weight: string;
  rule: KpiRule;
  cap: string;
  worst: string;
  bands: string; // "min:score, min:score"
}

const blank = (): Draft => ({ metric: 'revenue_won', target: '', weight: '10', rule: 'linear', cap: '100', worst: '', bands: '' });

function toDraft(l: KpiLine): Draft {
  return {
    metric: l.metric,
    target: editValue(l.metric, l.target),
    weight: String(l.weight),
    rule: l.rule,
    cap: String(l.cap ?? 100),
    worst: editValue(l.metric, l.worst),
    bands: (l.bands ?? []).map((b) => `${editValue(l.metric, b.min)}:${b.score}`).join(', '),
  };
}

/** The lines to send; numbers the server checks again, text that is no number stays a string so it names the field. */
function toLines(d: Draft[]): KpiLine[] {
  return d.map((x) => {
    const num = (s: string) => parseValue(x.metric, s) ?? (s as unknown as number);
    const l: KpiLine = { metric: x.metric, target: num(x.target), weight: /^\d+$/.test(x.weight.trim()) ? Number(x.weight) : (x.weight as unknown as number), rule: x.rule };
    if (x.rule === 'linear') l.cap = /^\d+$/.test(x.cap.trim()) ? Number(x.cap) : (x.cap as unknown as number);
    if (x.rule === 'inverse') l.worst = num(x.worst);
    if (x.rule === 'threshold' && x.bands.trim() !== '')
      l.bands = x.bands.split(',').map((b) => {
        const [min, score] = b.split(':');
        return { min: num(min ?? ''), score: Number(score) };
      });
    return l;
  });
}

/** The administrator's scorecards: a list and the form of the one chosen (or a new one). */
export function ScorecardEditor({ cards, onChanged }: { cards: KpiScorecard[]; onChanged: () => void }) {
  const toast = useToast();
  const org = useOrg();
  const [roles, setRoles] = useState<Role[]>([]);
  const [chosen, setChosen] = useState<number | 'new'>(cards[0]?.id ?? 'new');
  const card = chosen === 'new' ? undefined : cards.find((c) => c.id === chosen);
  const [name, setName] = useState('');
  const [applies, setApplies] = useState<KpiScorecardInput['applies']>('department');
  const [userIds, setUserIds] = useState<number[]>([]);
  const [deptId, setDeptId] = useState<number | null>(null);
  const [roleId, setRoleId] = useState<number | null>(null);
  const [kind, setKind] = useState<KpiPeriodKind>('month');
  const [lines, setLines] = useState<Draft[]>([blank()]);
  const [errors, setErrors] = useState<{ field: string; message: string }[]>([]);

  useEffect(() => {
    rolesApi.list().then((r) => setRoles(r.data), () => setRoles([]));
  }, []);
  const [etag, setEtag] = useState<string | null>(null);

  useEffect(() => {
    const fill = (c: KpiScorecard | undefined) => {
      setName(c?.name ?? '');
      setApplies(c?.applies ?? 'department');
      setUserIds(c?.user_ids ?? []);
      setDeptId(c?.department_id ?? null);
      setRoleId(c?.role_id ?? null);
      setKind(c?.period_kind ?? 'month');
      setLines(c ? c.lines.map(toDraft) : [blank()]);
    };
    fill(card);
    setErrors([]);
    setEtag(card ? `"${card.version}"` : null);
    if (!card) return;
    // The form edits what this read returned; saving sends its ETag back as If-Match.
    let live = true;
    kpi.get(card.id).then(
      (r) => {
        if (!live) return;
        fill(r.data);
        setEtag(r.etag);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [card]);

  const setLine = (i: number, patch: Partial<Draft>) => setLines((ls) => ls.map((l, k) => (k === i ? { ...l, ...patch } : l)));

  async function save(e: FormEvent) {
    e.preventDefault();
    const body: KpiScorecardInput = { name, applies, period_kind: kind, lines: toLines(lines) };
    if (applies === 'users') body.user_ids = userIds;
    if (applies === 'department') body.department_id = deptId;
    if (applies === 'role') body.role_id = roleId;
    try {
      const saved = card ? await kpi.update(card.id, body, etag) : await kpi.create(body);
      setErrors([]);
      toast(t('kpi.saved'));
      setChosen(saved.id);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0) setErrors(err.errors);
      else toast(errorText(err));
      // Saved meanwhile by someone else: show their version to start again from.
      if (err instanceof ApiError && err.status === 412) onChanged();
    }
  }

  async function remove() {
    if (!card || !window.confirm(t('kpi.deleteConfirm', { name: card.name }))) return;
    try {
      await kpi.remove(card.id);
      setChosen('new');
      onChanged();
    } catch (err) {
      toast(errorText(err));
    }
  }

  const errOf = (field: string) => errors.filter((x) => x.field === field || x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}[`));
  return (
    <div className="kpi-editor">
      <nav className="card kpi-card-list" aria-label={t('kpi.cards')}>
        {cards.map((c) => (
          <button key={c.id} type="button" className={`btn btn-sm${chosen === c.id ? ' active' : ''}`} aria-pressed={chosen === c.id} onClick={() => setChosen(c.id)}>
            {c.name}
          </button>
        ))}
        <button type="button" className={`btn btn-sm${chosen === 'new' ? ' active' : ''}`} onClick={() => setChosen('new')}>
          + {t('kpi.newCard')}
        </button>
      </nav>
      <form className="card kpi-form" onSubmit={save} aria-label={t('kpi.cardForm')}>
        <div className="kpi-form-row">
          <label>
            <span className="muted small">{t('kpi.name')}</span>
            <input className="input" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={errOf('name').length > 0} />
          </label>
          <label>
            <span className="muted small">{t('kpi.periodKind')}</span>
            <select className="input" value={kind} onChange={(e) => setKind(e.target.value as KpiPeriodKind)}>
              {(['month', 'quarter', 'year'] as const).map((k) => (
                <option key={k} value={k}>
                  {t(`kpi.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="muted small">{t('kpi.applies')}</span>
            <select className="input" value={applies} onChange={(e) => setApplies(e.target.value as KpiScorecardInput['applies'])}>
              {(['department', 'role', 'users'] as const).map((a) => (
                <option key={a} value={a}>
                  {t(`kpi.applies.${a}`)}
                </option>
              ))}
            </select>
          </label>
          {applies === 'department' && (
            <label>
              <span className="muted small">{t('kpi.department')}</span>
              <select className="input" value={deptId ?? ''} onChange={(e) => setDeptId(e.target.value ? Number(e.target.value) : null)}>
                <option value="">—</option>
                {org.depts.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {applies === 'role' && (
            <label>
              <span className="muted small">{t('kpi.role')}</span>
              <select className="input" value={roleId ?? ''} onChange={(e) => setRoleId(e.target.value ? Number(e.target.value) : null)}>
                <option value="">—</option>
                {roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {applies === 'users' && (
            <label>
              <span className="muted small">{t('kpi.people')}</span>
              <select className="input" multiple aria-label={t('kpi.people')} value={userIds.map(String)} onChange={(e) => setUserIds(Array.from(e.target.selectedOptions, (o) => Number(o.value)))}>
                {org.users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <p className="muted small">{t('kpi.linesHint')}</p>
        <table className="kpi-lines kpi-edit-lines" aria-label={t('kpi.lines')}>
          <thead>
            <tr>
              <th scope="col">{t('kpi.metric')}</th>
              <th scope="col">{t('kpi.target')}</th>
              <th scope="col">{t('kpi.weight')}</th>
              <th scope="col">{t('kpi.rule')}</th>
              <th scope="col">{t('kpi.ruleParam')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={i}>
                <td>
                  <select className="input input-sm" aria-label={`${t('kpi.metric')} ${i + 1}`} value={l.metric} onChange={(e) => setLine(i, { metric: e.target.value as KpiMetric })}>
                    {KPI_METRICS.map((m) => (
                      <option key={m} value={m}>
                        {t(`kpi.metric.${m}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input className="input input-sm" aria-label={`${t('kpi.target')} ${i + 1}`} value={l.target} onChange={(e) => setLine(i, { target: e.target.value })} />
                </td>
                <td>
                  <input className="input input-sm kpi-narrow" aria-label={`${t('kpi.weight')} ${i + 1}`} value={l.weight} onChange={(e) => setLine(i, { weight: e.target.value })} />
                </td>
                <td>
                  <select className="input input-sm" aria-label={`${t('kpi.rule')} ${i + 1}`} value={l.rule} onChange={(e) => setLine(i, { rule: e.target.value as KpiRule })}>
                    {(['linear', 'threshold', 'inverse'] as const).map((r) => (
                      <option key={r} value={r}>
                        {t(`kpi.rule.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {l.rule === 'linear' && <input className="input input-sm kpi-narrow" aria-label={`${t('kpi.cap')} ${i + 1}`} value={l.cap} onChange={(e) => setLine(i, { cap: e.target.value })} />}
                  {l.rule === 'inverse' && <input className="input input-sm" aria-label={`${t('kpi.worst')} ${i + 1}`} value={l.worst} onChange={(e) => setLine(i, { worst: e.target.value })} />}
                  {l.rule === 'threshold' && <input className="input input-sm" aria-label={`${t('kpi.bands')} ${i + 1}`} placeholder="80:50, 90:100" value={l.bands} onChange={(e) => setLine(i, { bands: e.target.value })} />}
                </td>
                <td>
                  <button type="button" className="btn btn-xs" aria-label={`${t('kpi.removeLine')} ${i + 1}`} disabled={lines.length === 1} onClick={() => setLines((ls) => ls.filter((_, k) => k !== i))}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {errors.length > 0 && (
          <ul className="kpi-errors" role="alert">
            {errors.map((x, i) => (
              <li key={i}>
                <code>{x.field}</code> {x.message}
              </li>
            ))}
          </ul>
        )}
        <div className="kpi-form-actions">
          <button type="button" className="btn btn-sm" onClick={() => setLines((ls) => [...ls, blank()])} disabled={lines.length >= 20}>
            + {t('kpi.addLine')}
          </button>
          <button type="submit" className="btn btn-primary btn-sm">
            {t('kpi.save')}
          </button>
          {card && (
            <button type="button" className="btn btn-sm btn-danger" onClick={remove}>
              {t('kpi.delete')}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}

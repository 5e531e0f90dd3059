import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, imports, type CrmImport, type ImportField, type ImportOptions } from '../api';
import { t, type Key } from '../i18n';
import { ENCODINGS, DELIMITERS } from './ImportUpload';
import { typeLabel } from './importText';

const DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'];
const MATCH_KEYS: Record<string, string[]> = {
  companies: ['name', 'email', 'phone', 'tax_id'],
  contacts: ['name', 'email', 'phone'],
  deals: ['name'],
  activities: ['external_id'],
};
const NUMERIC = new Set(['decimal', 'money', 'percent']);

interface Props {
  imp: CrmImport;
  onSaved: (imp: CrmImport) => void;
  onCheck: () => Promise<void>;
  busy: boolean;
}

/** A field as the forms name it ("First name", "Company"); a custom field by its label. */
function fieldName(f: ImportField): string {
  if (f.label) return f.label;
  const key = `field.${f.name.replace(/_ids?$/, (m) => (m === '_ids' ? 's' : ''))}`;
  const s = t(key as Key);
  return s === key ? f.name : s;
}

/**
 * The columns of the file beside its first rows, each mapped to a field (suggested by the server
 * from the header names, or remembered from the last file of this shape), and the rules the
 * values are read by. Saving checks it all on the server; then the dry run.
 */
export function ImportMapping({ imp, onSaved, onCheck, busy }: Props) {
  const fields = imp.fields ?? [];
  const [mapping, setMapping] = useState<(string | null)[]>(() => imp.headers.map((_, i) => imp.mapping.find((m) => m.column === i)?.field ?? null));
  const [values, setValues] = useState<Record<number, Record<string, string>>>(() =>
    Object.fromEntries(imp.mapping.filter((m) => m.values).map((m) => [m.column, m.values ?? {}])),
  );
  const [options, setOptions] = useState<ImportOptions>(() => ({ on_match: 'skip', ...(imp.options ?? {}) }));
  const [errors, setErrors] = useState<{ field: string; message: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const byName = useMemo(() => new Map(fields.map((f) => [f.name, f])), [fields]);
  const mappedTypes = new Set(mapping.filter((m): m is string => !!m).map((m) => byName.get(m)?.type ?? ''));
  const missing = fields.filter((f) => f.required && !mapping.includes(f.name));
  const twice = new Set(mapping.filter((m, i) => m && mapping.indexOf(m) !== i));
  const matchKeys = MATCH_KEYS[imp.entity] ?? [];

  async function reread(patch: { sheet?: string; encoding?: string | null; delimiter?: string | null; header_row?: number }) {
    setSaving(true);
    setError(null);
    try {
      const next = await imports.update(imp.id, patch);
      setMapping(next.headers.map((_, i) => next.mapping.find((m) => m.column === i)?.field ?? null));
      setValues({});
      onSaved(next);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail || e.title : String(e));
    } finally {
      setSaving(false);
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setErrors([]);
    setError(null);
    try {
      const next = await imports.update(imp.id, {
        mapping: mapping.map((field, column) => ({ column, field, ...(values[column] && Object.keys(values[column]).length ? { values: values[column] } : {}) })),
        options,
      });
      onSaved(next);
      await onCheck();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) setErrors(err.errors);
      else setError(err instanceof ApiError ? err.detail || err.title : String(err));
    } finally {
      setSaving(false);
    }
  }

  const setOpt = <K extends keyof ImportOptions>(k: K, v: ImportOptions[K] | '') =>
    setOptions((o) => {
      const n = { ...o };
      if (v === '' || v === undefined) delete n[k];
      else n[k] = v as ImportOptions[K];
      return n;
    });

  return (
    <form className="card import-mapping" onSubmit={(e) => void save(e)}>
      <h2 className="card-title">{t('imports.mapTitle')}</h2>
      {(error || errors.length > 0) && (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">
            {error && <strong className="banner-text">{error}</strong>}
            {errors.length > 0 && (
              <ul className="banner-list">
                {errors.map((x, i) => (
                  <li key={i}>
                    {x.field}: {x.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
      <div className="field-row">
        {imp.format === 'xlsx' && imp.sheets && imp.sheets.length > 1 && (
          <div className="field">
            <label htmlFor="import-sheet">{t('imports.sheet')}</label>
            <select id="import-sheet" className="input" value={imp.sheet ?? ''} disabled={saving} onChange={(e) => void reread({ sheet: e.target.value })}>
              {imp.sheets.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
        )}
        {imp.format === 'csv' && (
          <>
            <div className="field">
              <label htmlFor="import-encoding2">{t('imports.encoding')}</label>
              <select id="import-encoding2" className="input" value={imp.encoding ?? ''} disabled={saving} onChange={(e) => void reread({ encoding: e.target.value })}>
                {[...new Set([imp.encoding ?? '', ...ENCODINGS])].filter(Boolean).map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="import-delimiter2">{t('imports.delimiter')}</label>
              <select id="import-delimiter2" className="input" value={imp.delimiter ?? ','} disabled={saving} onChange={(e) => void reread({ delimiter: e.target.value })}>
                {DELIMITERS.map(([d, k]) => (
                  <option key={k} value={d}>
                    {t(k)}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor="import-header-row">{t('imports.headerRow')}</label>
          <input
            id="import-header-row"
            className="input"
            type="number"
            min={1}
            max={100}
            defaultValue={imp.header_row}
            disabled={saving}
            onBlur={(e) => {
              const n = Number(e.target.value);
              if (Number.isInteger(n) && n >= 1 && n !== imp.header_row) void reread({ header_row: n });
            }}
          />
        </div>
      </div>

      <div className="table-wrap import-preview">
        <table className="data-table">
          <caption className="sr-only">{t('imports.preview')}</caption>
          <thead>
            <tr>
              {imp.headers.map((h, i) => (
                <th key={i} scope="col">
                  <div className="import-header">{h || t('imports.noHeader', { n: i + 1 })}</div>
                  <select
                    className={`input input-sm${mapping[i] && twice.has(mapping[i]) ? ' invalid' : ''}`}
                    aria-label={t('imports.mapColumn', { column: h || String(i + 1) })}
                    value={mapping[i] ?? ''}
                    onChange={(e) => setMapping((m) => m.map((x, k) => (k === i ? e.target.value || null : x)))}
                  >
                    <option value="">{t('imports.skipColumn')}</option>
                    {fields.map((f) => (
                      <option key={f.name} value={f.name}>
                        {fieldName(f)}
                        {f.required ? ' *' : ''} · {typeLabel(f.type)}
                      </option>
                    ))}
                  </select>
                  {mapping[i] && byName.get(mapping[i] ?? '')?.choices && (
                    <ChoiceValues
                      field={byName.get(mapping[i] ?? '') as ImportField}
                      seen={imp.sample.map((r) => r[i] ?? '').concat((imp.errors ?? []).filter((e) => e.column === h).map((e) => e.value))}
                      values={values[i] ?? {}}
                      onChange={(v) => setValues((all) => ({ ...all, [i]: v }))}
                    />
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {imp.sample.map((row, r) => (
              <tr key={r}>
                {imp.headers.map((_, i) => (
                  <td key={i} className={mapping[i] ? undefined : 'muted'}>
                    {row[i] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {missing.length > 0 && <p className="field-error">{t('imports.missingRequired', { fields: missing.map(fieldName).join(', ') })}</p>}
      {twice.size > 0 && <p className="field-error">{t('imports.mappedTwice', { fields: [...twice].join(', ') })}</p>}

      <fieldset className="import-rules">
        <legend>{t('imports.rules')}</legend>
        <div className="field-row">
          {(mappedTypes.has('date') || mappedTypes.has('datetime')) && (
            <div className="field">
              <label htmlFor="import-datefmt">{t('imports.dateFormat')}</label>
              <select id="import-datefmt" className="input" value={options.date_format ?? ''} onChange={(e) => setOpt('date_format', e.target.value)}>
                <option value="">{t('imports.chooseOne')}</option>
                {DATE_FORMATS.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </div>
          )}
          {[...mappedTypes].some((x) => NUMERIC.has(x)) && (
            <div className="field">
              <label htmlFor="import-decimal">{t('imports.decimal')}</label>
              <select id="import-decimal" className="input" value={options.decimal ?? ''} onChange={(e) => setOpt('decimal', e.target.value as '.' | ',')}>
                <option value="">{t('imports.chooseOne')}</option>
                <option value=".">{t('imports.decimalPoint')}</option>
                <option value=",">{t('imports.decimalComma')}</option>
              </select>
            </div>
          )}
          {mappedTypes.has('percent') && (
            <div className="field">
              <label htmlFor="import-percent">{t('imports.percent')}</label>
              <select id="import-percent" className="input" value={options.percent ?? ''} onChange={(e) => setOpt('percent', e.target.value as ImportOptions['percent'])}>
                <option value="">{t('imports.chooseOne')}</option>
                <option value="sign">{t('imports.percentSign')}</option>
                <option value="fraction">{t('imports.percentFraction')}</option>
                <option value="number">{t('imports.percentNumber')}</option>
              </select>
            </div>
          )}
          {mappedTypes.has('money') && (
            <div className="field">
              <label htmlFor="import-currency">{t('imports.currency')}</label>
              <input id="import-currency" className="input" maxLength={3} value={options.currency ?? ''} onChange={(e) => setOpt('currency', e.target.value.toUpperCase())} placeholder="EUR" />
            </div>
          )}
        </div>
        {matchKeys.length > 0 && (
          <div className="field-row">
            <div className="field">
              <span className="label">{t('imports.matchOn')}</span>
              <div className="checks">
                {matchKeys.map((k) => (
                  <label key={k} className="check">
                    <input
                      type="checkbox"
                      checked={(options.match ?? []).includes(k)}
                      onChange={(e) => {
                        const cur = new Set(options.match ?? []);
                        if (e.target.checked) cur.add(k);
                        else cur.delete(k);
                        setOpt('match', cur.size ? [...cur] : '');
                      }}
                    />
                    {t(`imports.match.${k}` as Key)}
                  </label>
                ))}
              </div>
            </div>
            <div className="field">
              <label htmlFor="import-onmatch">{t('imports.onMatch')}</label>
              <select id="import-onmatch" className="input" value={options.on_match ?? 'skip'} onChange={(e) => setOpt('on_match', e.target.value as ImportOptions['on_match'])}>
                <option value="skip">{t('imports.onMatch.skip')}</option>
                <option value="update">{t('imports.onMatch.update')}</option>
                <option value="merge">{t('imports.onMatch.merge')}</option>
                <option value="create">{t('imports.onMatch.create')}</option>
              </select>
            </div>
          </div>
        )}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || saving || missing.length > 0 || twice.size > 0}>
          {t('imports.check')}
        </button>
        <span className="muted small">{t('imports.checkHint')}</span>
      </div>
    </form>
  );
}

/** For a column going to a choice field: what each value of the file stands for. */
function ChoiceValues({ field, seen, values, onChange }: { field: ImportField; seen: string[]; values: Record<string, string>; onChange: (v: Record<string, string>) => void }) {
  const choices = field.choices ?? [];
  const unknown = [...new Set(seen.map((s) => s.trim()).filter((s) => s && !choices.includes(s)))].slice(0, 30);
  if (unknown.length === 0) return null;
  return (
    <details className="import-values">
      <summary>{t('imports.unknownValues', { n: unknown.length })}</summary>
      {unknown.map((u) => (
        <label key={u} className="import-value-map">
          <span>{u}</span>
          <select
            className="input input-sm"
            value={values[u] ?? ''}
            onChange={(e) => {
              const n = { ...values };
              if (e.target.value) n[u] = e.target.value;
              else delete n[u];
              onChange(n);
            }}
          >
            <option value="">{t('imports.refuseValue')}</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      ))}
    </details>
  );
}

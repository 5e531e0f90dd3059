// The one client of the CRM REST API (docs/api.md). Every screen goes through it:
// JSON bodies, the session cookie (credentials 'same-origin'), problem+json errors
// parsed into ApiError, and a single hook for 401 (back to the sign-in screen).

export type EntityName = 'companies' | 'contacts' | 'deals';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(status: number, title: string, detail: string, errors: FieldError[] = []) {
    super(detail || title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

export interface User {
  id: number;
  email: string;
  name: string;
  is_admin: boolean;
  active?: boolean;
  department_id?: number | null;
  role_id?: number | null;
}

export const ACTIONS = ['create', 'read', 'update', 'delete', 'export', 'import', 'assign', 'audit'] as const;
export type Action = (typeof ACTIONS)[number];
export const SCOPES = ['none', 'own', 'dept', 'subtree', 'all'] as const;
export type Scope = (typeof SCOPES)[number];
export type FieldRule = 'hidden' | 'readonly';

/** The signed-in user as /auth/me describes them: who they are and what their role lets them do. */
export interface Me extends User {
  role?: { id: number; name: string } | null;
  rights?: Record<string, Partial<Record<Action, Scope>>>;
  fields?: Record<string, Record<string, FieldRule>>;
}

export interface Money {
  amount: number;
  currency: string;
}

export type CustomValue = string | number | boolean | string[] | Money | null;

interface RecordBase {
  id: number;
  created_at: string;
  created_by: number | null;
  updated_at: string;
  updated_by: number | null;
  version: number;
  deleted_at: string | null;
  owner_id: number | null;
  tags: string[];
  custom: Record<string, CustomValue>;
}

export interface Company extends RecordBase {
  name: string;
  legal_name: string | null;
  tax_id: string | null;
  website: string | null;
  emails: string[];
  phones: string[];
  address: string | null;
  industry: string | null;
  source: string | null;
  notes: string | null;
}

export interface Contact extends RecordBase {
  first_name: string | null;
  last_name: string | null;
  middle_name: string | null;
  position: string | null;
  emails: string[];
  phones: string[];
  company_id: number | null;
  company_name: string | null;
  address: string | null;
  birthday: string | null;
  source: string | null;
  notes: string | null;
}

export type DealStatus = 'open' | 'won' | 'lost';

export interface Deal extends RecordBase {
  title: string;
  pipeline_id: number;
  stage_id: number;
  stage_name: string | null;
  status: DealStatus;
  /** Integer minor units of `currency`. */
  amount: number | null;
  currency: string | null;
  /** In the base currency's minor units; null without an exchange rate (or when hidden). */
  amount_base: number | null;
  company_id: number | null;
  company_name: string | null;
  contact_ids: number[];
  expected_close: string | null;
  source: string | null;
  lost_reason_id: number | null;
  lost_comment: string | null;
  closed_at: string | null;
  stage_entered_at: string | null;
  stage_due_at: string | null;
  items_count: number;
  /** The price list the deal's lines take their prices from. */
  price_list_id?: number | null;
  notes: string | null;
  stuck: boolean;
}

export type AnyRecord = Company | Contact | Deal;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface SearchHit {
  /** A deal's subtitle is its company. */
  type: 'company' | 'contact' | 'deal' | string;
  id: number;
  title: string;
  subtitle?: string | null;
}

export const CUSTOM_FIELD_TYPES = [
  'text', 'long_text', 'integer', 'decimal', 'money', 'percent', 'date', 'datetime',
  'email', 'phone', 'url', 'choice', 'multichoice', 'boolean',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export interface CustomFieldDef {
  id: number;
  entity: EntityName;
  name: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[] | null;
  position: number;
}

export interface Result<T> {
  data: T;
  etag: string | null;
  status: number;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  ifMatch?: string | null;
  signal?: AbortSignal;
  /** Do not treat 401 as "session over" (the sign-in form itself). */
  allow401?: boolean;
}

let unauthorizedHandler: (() => void) | null = null;
/** The session's CSRF token, from sign-in or /auth/me (never stored). */
let csrfToken: string | null = null;

/** Called whenever the server answers 401: the app shows the sign-in screen. */
export function onUnauthorized(fn: (() => void) | null): void {
  unauthorizedHandler = fn;
}

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function parseError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? (b.errors as unknown[])
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : [];
    return new ApiError(
      typeof b.status === 'number' ? b.status : res.status,
      typeof b.title === 'string' ? b.title : res.statusText,
      typeof b.detail === 'string' ? b.detail : '',
      errors,
    );
  }
  return new ApiError(res.status, res.statusText, '');
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Result<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  // Changes made with the session cookie carry the session's CSRF token.
  if (csrfToken && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${buildQuery(opts.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Network error', '');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && !opts.allow401 && unauthorizedHandler) unauthorizedHandler();
    throw err;
  }
  let data: unknown = null;
  if (res.status !== 204) {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  }
  return { data: data as T, etag: res.headers.get('ETag'), status: res.status };
}

/** The ETag of a record: the header when we have it, otherwise built from `version`. */
export function etagOf(r: Result<{ version?: number }>): string | null {
  return r.etag ?? (typeof r.data?.version === 'number' ? `"${r.data.version}"` : null);
}

let signedIn: Me | null = null;

/** The signed-in user, once /auth/me or /auth/login answered. */
export function currentUser(): Me | null {
  return signedIn;
}

export const auth = {
  /** Who is signed in, with their role's rights and field rules (the UI hides what they cannot use). */
  me: () =>
    request<Me & { csrf_token?: string }>('GET', '/auth/me', { allow401: true }).then((r) => {
      csrfToken = r.data.csrf_token ?? null;
      signedIn = r.data;
      return r.data;
    }),
  /** Password step. With a second factor the answer has no user yet: see twofa.verify. */
  login: (email: string, password: string) =>
    request<LoginAnswer>('POST', '/auth/login', { body: { email, password }, allow401: true }).then((r) => {
      // A session waiting for its second step needs the token too: verifying is a POST.
      csrfToken = r.data.csrf_token ?? null;
      if (r.data.user && !r.data.mfa_required) signedIn = r.data.user;
      return r.data;
    }),
  logout: () =>
    request<null>('POST', '/auth/logout', { allow401: true }).finally(() => {
      signedIn = null;
      csrfToken = null;
    }),
  changePassword: (current_password: string, new_password: string) =>
    request<null>('POST', '/auth/password', { body: { current_password, new_password } }),
};

export interface SessionInfo {
  id: number;
  created_at: string;
  last_seen_at: string;
  address: string;
  agent: string;
  current: boolean;
}

export interface ApiToken {
  id: number;
  user: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  read_only: boolean;
  revoked_at: string | null;
  expired: boolean;
}

export const sessions = {
  list: () => request<{ data: SessionInfo[] }>('GET', '/auth/sessions').then((r) => r.data.data),
  end: (id: number) => request<null>('DELETE', `/auth/sessions/${id}`),
  endOthers: () => request<{ ended: number }>('POST', '/auth/sessions/revoke-others').then((r) => r.data.ended),
};

export const tokens = {
  list: () => request<{ data: ApiToken[] }>('GET', '/auth/tokens').then((r) => r.data.data),
  create: (body: { name: string; read_only: boolean; expires_in_days?: number }) =>
    request<ApiToken & { token: string }>('POST', '/auth/tokens', { body }).then((r) => r.data),
  revoke: (id: number) => request<null>('DELETE', `/auth/tokens/${id}`),
};

export type SystemStateName = 'normal' | 'read_only' | 'locked';
export interface SystemState {
  state: SystemStateName;
  message: string;
  updated_at: string | null;
}

export const system = {
  get: () => request<SystemState>('GET', '/system/state').then((r) => r.data),
  set: (state: SystemStateName, message: string) =>
    request<SystemState>('PUT', '/system/state', { body: { state, message } }).then((r) => r.data),
};

export interface BackupRun {
  id: number;
  kind: 'scheduled' | 'manual' | 'cli';
  started_at: string;
  finished_at: string;
  age_s: number;
  file: string;
  size: number | null;
  ok: boolean;
  error: string | null;
  removed: boolean;
}
export interface BackupStatus {
  schedule: { dir: string; every_s: number; keep: number; next_at: string } | null;
  running: boolean;
  queued: number;
  last_ok_at: string | null;
  stale: boolean;
  data: BackupRun[];
}

export interface MailRow {
  id: number;
  to: string;
  subject: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  sent_at: string | null;
  last_error: string | null;
}

export interface MailStatus {
  configured: boolean;
  url: string | null;
  from: string | null;
  queued: number;
  sent: number;
  failed: number;
  last_error: string | null;
  recent: MailRow[];
}

export const mail = {
  status: () => request<MailStatus>('GET', '/system/mail').then((r) => r.data),
  test: (to: string) => request<{ id: number; to: string; status: string }>('POST', '/system/mail/test', { body: { to } }).then((r) => r.data),
};

// ---- the service desk's mailbox (docs/api.md, "Email") ----

export interface DeskMailbox {
  imap_url: string | null;
  username: string | null;
  password_set: boolean;
  folder: string;
  poll_seconds: number;
  queue_id: number | null;
  category: string | null;
  enabled: boolean;
  allow_plain: boolean;
  last_check_at: string | null;
  last_ok_at: string | null;
  last_error: string | null;
  imported: number;
  last_uid: number;
  version: number;
  fetched?: number;
  more?: boolean;
}

export const deskMailbox = {
  get: () => request<DeskMailbox>('GET', '/desk/mailbox').then((r) => r.data),
  put: (body: Record<string, unknown>) => request<DeskMailbox>('PUT', '/desk/mailbox', { body }).then((r) => r.data),
  check: () => request<DeskMailbox>('POST', '/desk/mailbox/check').then((r) => r.data),
};

// ---- business process templates (docs/processes.md) ----

export interface ProcessTemplateSummary {
  id: number;
  key: string;
  name: string;
  entity: string;
  status: 'active' | 'archived';
  builtin: boolean;
  version: number;
  valid: boolean;
  created_at: string;
  created_by: number | null;
  updated_at: string;
  updated_by: number | null;
}

export interface ProcessStep {
  id: string;
  kind: string;
  name: string;
}

export interface ProcessTemplate extends ProcessTemplateSummary {
  definition: { key: string; name: string; entity: string; description?: string; trigger: { type: string }; start: string; steps: ProcessStep[] };
  errors: FieldError[];
  versions: { version: number; created_at: string; created_by: number | null }[];
}

export const processes = {
  list: (status: 'active' | 'archived') =>
    request<{ data: ProcessTemplateSummary[] }>('GET', `/process-templates${status === 'archived' ? '?status=archived' : ''}`).then((r) => r.data.data),
  get: (id: number) => request<ProcessTemplate>('GET', `/process-templates/${id}`).then((r) => r.data),
  create: (def: unknown) => request<ProcessTemplate>('POST', '/process-templates', { body: def }).then((r) => r.data),
  /** The next version; `version` is the one the editor started from (412 when someone saved since). */
  update: (id: number, def: unknown, version: number) =>
    request<ProcessTemplate>('PUT', `/process-templates/${id}`, { body: def, ifMatch: `"${version}"` }).then((r) => r.data),
  version: (id: number, v: number) =>
    request<{ template_id: number; version: number; definition: ProcessTemplate['definition']; created_at: string; created_by: number | null }>(
      'GET',
      `/process-templates/${id}/versions/${v}`,
    ).then((r) => r.data),
  /** The problems that keep def from running (none: it can run); the server answers them as a 422. */
  validate: (def: unknown, signal?: AbortSignal) =>
    request<{ valid: boolean; errors: FieldError[] }>('POST', '/process-templates/validate', { body: def, signal }).then(
      (r) => r.data,
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 422) return { valid: false, errors: e.errors };
        throw e;
      },
    ),
  wizard: (answers: unknown) => request<ProcessTemplate['definition']>('POST', '/process-templates/wizard', { body: answers }).then((r) => r.data),
  schedulePreview: (cron: string, tz: string, signal?: AbortSignal) =>
    request<{ next: string[]; local: string[] }>('POST', '/process-templates/schedule-preview', { body: { cron, tz }, signal }).then((r) => r.data),
};

// ---- running processes (docs/api.md "Business processes: running instances") ----

export type RunEntity = 'deals' | 'companies' | 'contacts';

export interface RunStep {
  id: number;
  step_id: string;
  kind: string;
  name: string;
  status: 'waiting' | 'done' | 'skipped' | 'failed' | 'cancelled';
  assignee_id: number | null;
  assignee_name: string | null;
  task_id: number | null;
  started_at: string;
  due_at: string | null;
  overdue_at: string | null;
  done_at: string | null;
  outcome: string | null;
  comment: string | null;
  done_by: number | null;
}

export interface ProcessInstance {
  id: number;
  template_id: number;
  template_name: string;
  version: number;
  entity: string;
  record_id: number;
  /** The record's display name (a deal's title, a contact's full name), null when it is gone. */
  record_name: string | null;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  current_step: string | null;
  current_step_name: string | null;
  waiting_step: number | null;
  assignee_id: number | null;
  waiting_since: string | null;
  due_at: string | null;
  overdue: boolean;
  started_at: string;
  finished_at: string | null;
  started_by: number | null;
  owner_id: number | null;
  error: string | null;
  steps?: RunStep[];
}

/** A step waiting for the user, from my day. */
export interface WaitingStep {
  id: number;
  instance_id: number;
  step_id: string;
  kind: string;
  name: string;
  task_id: number | null;
  entity: string;
  record_id: number;
  record_name: string | null;
  started_at: string;
  due_at: string | null;
  overdue: boolean;
}

export interface StepStats {
  step_id: string;
  name: string;
  count: number;
  avg_ms: number;
  max_ms: number;
  waiting: number;
  overdue: number;
}

export const processRuns = {
  list: (query: Query, signal?: AbortSignal) =>
    request<{ data: ProcessInstance[] }>('GET', '/process-instances', { query, signal }).then((r) => r.data.data),
  get: (id: number, signal?: AbortSignal) => request<ProcessInstance>('GET', `/process-instances/${id}`, { signal }).then((r) => r.data),
  start: (templateId: number, entity: string, recordId: number) =>
    request<ProcessInstance>('POST', '/process-instances', { body: { template_id: templateId, entity, record_id: recordId } }).then((r) => r.data),
  cancel: (id: number) => request<ProcessInstance>('POST', `/process-instances/${id}/cancel`).then((r) => r.data),
  /** Completes a task (no outcome) or answers an approval; answers the instance as it is now. */
  complete: (stepId: number, outcome: 'approve' | 'reject' | null, comment: string) =>
    request<ProcessInstance>('POST', `/process-steps/${stepId}/complete`, {
      // An empty comment is left out: a task takes none, a rejection is refused without one.
      body: { ...(outcome ? { outcome } : {}), ...(comment ? { comment } : {}) },
    }).then((r) => r.data),
  stats: (templateId: number, signal?: AbortSignal) =>
    request<{ template_id: number; data: StepStats[] }>('GET', `/process-templates/${templateId}/stats`, { signal }).then((r) => r.data.data),
};

export const backups = {
  status: () => request<BackupStatus>('GET', '/system/backups').then((r) => r.data),
  start: () => request<{ job_id: number }>('POST', '/system/backups').then((r) => r.data),
};

export const records = {
  list: <T extends AnyRecord>(entity: EntityName, query: Query, signal?: AbortSignal) =>
    request<Page<T>>('GET', `/${entity}`, { query, signal }).then((r) => r.data),
  get: <T extends AnyRecord>(entity: EntityName, id: number) => request<T>('GET', `/${entity}/${id}`),
  create: <T extends AnyRecord>(entity: EntityName, body: Record<string, unknown>) =>
    request<T>('POST', `/${entity}`, { body }),
  update: <T extends AnyRecord>(entity: EntityName, id: number, body: Record<string, unknown>, etag: string | null) =>
    request<T>('PATCH', `/${entity}/${id}`, { body, ifMatch: etag }),
  remove: (entity: EntityName, id: number) => request<null>('DELETE', `/${entity}/${id}`),
  restore: <T extends AnyRecord>(entity: EntityName, id: number) => request<T>('POST', `/${entity}/${id}/restore`),
  /** The address of a list as a file: its query without paging, the format and the columns. */
  exportUrl: (entity: EntityName | 'activities', query: Query, format: 'csv' | 'xlsx', columns: string[]) => {
    const q: Query = { ...query, format, columns: columns.join(',') };
    delete q.cursor;
    delete q.limit;
    return `/api/v1/${entity}/export${buildQuery(q)}`;
  },
};

export const search = (q: string, signal?: AbortSignal, limit = 20) =>
  request<{ data: SearchHit[] }>('GET', '/search', { query: { q, limit }, signal }).then((r) => r.data.data);

export const customFields = {
  list: (entity: EntityName) =>
    request<{ data: CustomFieldDef[] }>('GET', '/custom-fields', { query: { entity } }).then((r) => r.data.data),
  create: (def: Omit<CustomFieldDef, 'id' | 'position' | 'options'> & { options?: string[]; position?: number }) =>
    request<CustomFieldDef>('POST', '/custom-fields', { body: def }).then((r) => r.data),
  update: (id: number, patch: Partial<Pick<CustomFieldDef, 'label' | 'required' | 'options' | 'position'>>) =>
    request<CustomFieldDef>('PATCH', `/custom-fields/${id}`, { body: patch }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/custom-fields/${id}`),
};

let usersCache: Promise<User[]> | null = null;
export const users = {
  list: (): Promise<User[]> => {
    if (!usersCache) {
      usersCache = request<{ data: User[] }>('GET', '/users').then((r) => r.data.data);
      usersCache.catch(() => {
        usersCache = null;
      });
    }
    return usersCache;
  },
  forget: () => {
    usersCache = null;
  },
};

// ---- two-factor sign-in (docs/api.md, "Two-factor sign-in") ----

export type MfaMethod = 'totp' | 'webauthn' | 'recovery';

export interface LoginAnswer {
  user?: User;
  csrf_token?: string;
  mfa_required?: boolean;
  mfa_enrol_required?: boolean;
  methods?: MfaMethod[];
}

export interface SecurityKey {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface TwoFactorStatus {
  totp: boolean;
  totp_pending: boolean;
  recovery_codes_left: number;
  webauthn: SecurityKey[];
  required: boolean;
  methods: MfaMethod[];
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  qr_svg: string;
}

/** One proof of a second factor; exactly one member is set. */
export type Proof = { code: string } | { recovery_code: string } | { assertion: unknown };

// JSON options whose binary members are base64url strings (as the server sends them).
export type JsonOptions = Record<string, unknown>;

export const twofa = {
  status: () => request<TwoFactorStatus>('GET', '/auth/2fa').then((r) => r.data),
  /** The second sign-in step; 401s are the form's to show, not "session over". */
  verify: (proof: Proof) =>
    request<{ user: User }>('POST', '/auth/2fa/verify', { body: proof, allow401: true }).then((r) => {
      signedIn = r.data.user;
      return r.data.user;
    }),
  stepUp: (proof: Proof) => request<{ stepped_up: boolean }>('POST', '/auth/step-up', { body: proof, allow401: true }),
  totpBegin: () => request<TotpEnrolment>('POST', '/auth/2fa/totp').then((r) => r.data),
  totpConfirm: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/auth/2fa/totp/confirm', { body: { code }, allow401: true }).then(
      (r) => r.data.recovery_codes,
    ),
  totpDisable: (body: { password: string } | { code: string }) =>
    request<null>('DELETE', '/auth/2fa/totp', { body, allow401: true }),
  newRecoveryCodes: (code: string) =>
    request<{ recovery_codes: string[] }>('POST', '/auth/2fa/recovery-codes', { body: { code }, allow401: true }).then(
      (r) => r.data.recovery_codes,
    ),
  registerOptions: () => request<JsonOptions>('POST', '/auth/webauthn/register/options').then((r) => r.data),
  registerFinish: (credential: unknown, name: string) =>
    request<SecurityKey & { recovery_codes?: string[] }>('POST', '/auth/webauthn/register/finish', {
      body: { credential, name },
    }).then((r) => r.data),
  loginOptions: () =>
    request<JsonOptions>('POST', '/auth/webauthn/login/options', { allow401: true }).then((r) => r.data),
  renameKey: (id: number, name: string) =>
    request<SecurityKey>('PATCH', `/auth/webauthn/credentials/${id}`, { body: { name } }).then((r) => r.data),
  removeKey: (id: number) => request<null>('DELETE', `/auth/webauthn/credentials/${id}`),
};

// ---- the organisation: departments, roles, users (admin screens), shares, transfers ----

export const DEPT_KINDS = ['company', 'branch', 'department', 'team'] as const;
export type DeptKind = (typeof DEPT_KINDS)[number];

export interface Department {
  id: number;
  name: string;
  kind: DeptKind;
  parent_id: number | null;
  heads: number[];
  members: number;
  /** Its working-hours calendar; null: the parent's (up to the default). */
  calendar_id: number | null;
}

export const departments = {
  list: () => request<{ data: Department[] }>('GET', '/departments').then((r) => r.data.data),
  create: (body: { name: string; kind: DeptKind; parent_id: number | null; calendar_id?: number | null }) =>
    request<Department>('POST', '/departments', { body }).then((r) => r.data),
  update: (id: number, body: Partial<Pick<Department, 'name' | 'kind' | 'parent_id' | 'heads' | 'calendar_id'>>) =>
    request<Department>('PATCH', `/departments/${id}`, { body }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/departments/${id}`),
};

export type Perms = Record<string, Record<Action, Scope>>;
export type FieldRules = Record<string, Record<string, FieldRule>>;

export interface Role {
  id: number;
  name: string;
  builtin: string | null;
  is_admin: boolean;
  require_2fa: boolean;
  perms: Perms;
  fields: FieldRules;
  users: number;
}

export interface RoleList {
  data: Role[];
  entities: string[];
  actions: Action[];
  scopes: Scope[];
}

export interface RoleInput {
  name?: string;
  require_2fa?: boolean;
  perms?: Record<string, Partial<Record<Action, Scope>>>;
  fields?: FieldRules;
}

export const roles = {
  list: () => request<RoleList>('GET', '/roles').then((r) => r.data),
  get: (id: number) => request<Role>('GET', `/roles/${id}`).then((r) => r.data),
  create: (body: RoleInput) => request<Role>('POST', '/roles', { body }).then((r) => r.data),
  update: (id: number, body: RoleInput) => request<Role>('PATCH', `/roles/${id}`, { body }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/roles/${id}`),
};

/** The administrator's side of users (the directory above is the cached, read-only view). */
export const staff = {
  list: () => request<{ data: User[] }>('GET', '/users').then((r) => r.data.data),
  create: (body: { email: string; name: string; password: string; department_id?: number; role_id?: number }) =>
    request<User>('POST', '/users', { body }).then((r) => {
      users.forget();
      return r.data;
    }),
  update: (id: number, body: { name?: string; department_id?: number; role_id?: number; active?: boolean }) =>
    request<User>('PATCH', `/users/${id}`, { body }).then((r) => {
      users.forget();
      return r.data;
    }),
};

export type ShareAccess = 'read' | 'write';

export interface Share {
  id: number;
  user_id: number | null;
  department_id: number | null;
  access: ShareAccess;
  created_at: string;
  created_by: number | null;
}

export const shares = {
  list: (entity: EntityName, id: number) =>
    request<{ data: Share[] }>('GET', `/${entity}/${id}/shares`).then((r) => r.data.data),
  add: (entity: EntityName, id: number, body: { user_id?: number; department_id?: number; access: ShareAccess }) =>
    request<{ data: Share[] }>('POST', `/${entity}/${id}/shares`, { body }).then((r) => r.data.data),
  remove: (entity: EntityName, id: number, shareId: number) => request<null>('DELETE', `/${entity}/${id}/shares/${shareId}`),
};

export interface TransferInput {
  ids?: number[];
  from_user_id?: number;
  to_user_id?: number;
  to_user_ids?: number[];
}

export interface TransferResult {
  moved: number;
  owners: Record<string, number>;
}

export const transfer = (entity: EntityName, body: TransferInput) =>
  request<TransferResult>('POST', `/${entity}/transfer`, { body }).then((r) => r.data);

// ---- the audit log (admin screen, export, verify) and a record's history ----

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_email: string | null;
  /** "record.update", "auth.login_failed", … */
  action: string;
  entity: string | null;
  record_id: number | null;
  address: string | null;
  agent: string | null;
  /** For updates {changes: {field: [old, new]}}; for creates the record's values. */
  detail: Record<string, unknown>;
}

/** The audit screen's filters, as the API names them (empty values are left out). */
export interface AuditFilters {
  actor_id?: string;
  action?: string;
  entity?: string;
  record_id?: string;
  address?: string;
  from?: string;
  to?: string;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  checkpoints: number;
  signatures_checked: boolean;
  problems: string[];
}

export const audit = {
  list: (filters: AuditFilters, cursor: string | null, signal?: AbortSignal) =>
    request<Page<AuditEntry>>('GET', '/audit', { query: { ...filters, cursor, limit: 50 }, signal }).then((r) => r.data),
  verify: () => request<AuditVerify>('GET', '/audit/verify').then((r) => r.data),
  /** The CSV export's address: a plain link, so the browser downloads it with the session cookie. */
  exportUrl: (filters: AuditFilters) => `/api/v1/audit/export${buildQuery({ ...filters })}`,
  history: (entity: EntityName, id: number, cursor: string | null, signal?: AbortSignal) =>
    request<Page<AuditEntry>>('GET', `/${entity}/${id}/history`, { query: { cursor, limit: 20 }, signal }).then((r) => r.data),
};

// ---- sales: pipelines, lost reasons, currencies, deal moves, the board and the funnel ----

export type StageKind = 'open' | 'won' | 'lost';

export interface Stage {
  id: number;
  name: string;
  position: number;
  probability: number | null;
  time_limit_days: number | null;
  kind: StageKind;
}

export interface Pipeline {
  id: number;
  name: string;
  position: number;
  archived: boolean;
  stages: Stage[];
}

export interface LostReason {
  id: number;
  name: string;
  active: boolean;
}

export interface Currency {
  code: string;
  digits: number;
  name: string;
  base: boolean;
}

export interface StageVisit {
  stage_id: number;
  stage_name: string;
  entered_at: string;
  entered_by: number | null;
  entered_by_name: string | null;
  left_at: string | null;
  duration_ms: number;
}

export interface StageHistory {
  data: StageVisit[];
  by_stage: { stage_id: number; stage_name: string; visits: number; duration_ms: number }[];
}

export interface BoardColumn {
  stage: Stage;
  count: number;
  amount_base: number | null;
  unconverted: number;
  stuck: number;
  cards: Deal[];
  more: boolean;
}

export interface Board {
  pipeline: Omit<Pipeline, 'stages'>;
  base_currency: string;
  columns: BoardColumn[];
}

export interface MoveInput {
  stage_id: number;
  lost_reason_id?: number;
  lost_comment?: string;
}

export interface FunnelStage {
  stage: Omit<Stage, 'time_limit_days'>;
  reached: number;
  moved_on: number;
  conversion: number | null;
  avg_ms: number | null;
  value_base: number | null;
  current: number;
}

export interface Funnel {
  pipeline: { id: number; name: string };
  from: string | null;
  to: string | null;
  base_currency: string;
  total: number;
  stages: FunnelStage[];
  won: { count: number; value_base: number | null };
  lost: { count: number; value_base: number | null; reasons: { id: number; name: string; count: number; value_base: number | null }[] };
  end_to_end: number | null;
  unconverted: number;
  /** A query string selecting the cohort for GET /deals. */
  drill: string;
}

let pipelinesCache: Promise<Pipeline[]> | null = null;
let currenciesCache: Promise<{ list: Currency[]; base: string }> | null = null;

function cached<T>(get: () => Promise<T>, keep: (p: Promise<T> | null) => void): Promise<T> {
  const p = get();
  p.catch(() => keep(null));
  keep(p);
  return p;
}

export const sales = {
  pipelines: (): Promise<Pipeline[]> =>
    pipelinesCache ??
    cached(
      () => request<{ data: Pipeline[] }>('GET', '/pipelines').then((r) => r.data.data),
      (p) => (pipelinesCache = p),
    ),
  lostReasons: () => request<{ data: LostReason[] }>('GET', '/lost-reasons').then((r) => r.data.data),
  /** The ISO 4217 currencies with their minor-unit digits, and the base currency's code. */
  currencies: (): Promise<{ list: Currency[]; base: string }> =>
    currenciesCache ??
    cached(
      () =>
        Promise.all([
          request<{ data: Currency[] }>('GET', '/currencies').then((r) => r.data.data),
          request<{ currency: string }>('GET', '/currencies/base').then((r) => r.data.currency),
        ]).then(([list, base]) => ({ list, base })),
      (p) => (currenciesCache = p),
    ),
  move: (id: number, body: MoveInput, etag?: string | null) =>
    request<Deal>('POST', `/deals/${id}/move`, { body, ifMatch: etag ?? null }),
  stages: (id: number, signal?: AbortSignal) =>
    request<StageHistory>('GET', `/deals/${id}/stages`, { signal }).then((r) => r.data),
  board: (query: Query, signal?: AbortSignal) =>
    request<Board>('GET', '/deals/board', { query, signal }).then((r) => r.data),
  funnel: (query: Query, signal?: AbortSignal) =>
    request<Funnel>('GET', '/reports/funnel', { query, signal }).then((r) => r.data),
  forget: () => {
    pipelinesCache = null;
  },
};

/** A pipeline as written: stages are the whole new list (an id keeps that stage). */
export interface PipelineInput {
  name: string;
  position?: number;
  archived?: boolean;
  stages: { id?: number; name: string; probability: number | null; time_limit_days: number | null; kind: StageKind }[];
}

/** Passes a written pipeline on after forgetting the cached list (the board's picker reloads it). */
function forgetting<T>(r: Result<T>): T {
  sales.forget();
  return r.data;
}

/** The administrator's side of pipelines and lost reasons; every write forgets the cached pipelines. */
export const salesAdmin = {
  pipelines: () => request<{ data: Pipeline[] }>('GET', '/pipelines').then((r) => r.data.data),
  createPipeline: (body: PipelineInput) =>
    request<Pipeline>('POST', '/pipelines', { body }).then(forgetting),
  updatePipeline: (id: number, body: Partial<PipelineInput>) =>
    request<Pipeline>('PATCH', `/pipelines/${id}`, { body }).then(forgetting),
  removePipeline: (id: number) => request<null>('DELETE', `/pipelines/${id}`).then(() => sales.forget()),
  createLostReason: (body: { name: string; active?: boolean }) =>
    request<LostReason>('POST', '/lost-reasons', { body }).then((r) => r.data),
  updateLostReason: (id: number, body: { name?: string; active?: boolean }) =>
    request<LostReason>('PATCH', `/lost-reasons/${id}`, { body }).then((r) => r.data),
  removeLostReason: (id: number) => request<null>('DELETE', `/lost-reasons/${id}`),
};

/* The product catalog (admin screen #/admin/products; read by deal forms). */
export interface Unit {
  id: number;
  name: string;
  whole: boolean;
}
export interface Product {
  id: number;
  name: string;
  sku: string | null;
  description: string | null;
  unit_id: number;
  unit: string;
  whole: boolean;
  price: number; // minor units of currency
  currency: string;
  tax_rate: string; // percent as text: "20", "12.5"
  active: boolean;
}
export type ProductInput = Partial<Omit<Product, 'id' | 'unit' | 'whole'>>;
export interface PriceListItem {
  product_id: number;
  name?: string;
  sku?: string | null;
  price: number;
}
export interface PriceList {
  id: number;
  name: string;
  currency: string;
  active: boolean;
  item_count: number;
  items?: PriceListItem[];
}
export type PriceListInput = Partial<Pick<PriceList, 'name' | 'currency' | 'active'>> & {
  items?: { product_id: number; price: number }[];
};
export interface QuoteLine {
  product_id?: number | null;
  name?: string;
  quantity: string;
  unit_id?: number | null;
  price?: number;
  discount?: string;
  tax?: string;
}
export interface Quote {
  currency: string;
  digits: number;
  lines: (Required<QuoteLine> & { unit: string | null; whole: boolean; net: number; tax_amount: number; total: number })[];
  net: number;
  tax_amount: number;
  total: number;
}

export type QuotedLine = Quote['lines'][number];
export interface DealItems {
  currency: string;
  price_list_id: number | null;
  items: QuotedLine[];
  net: number;
  tax_amount: number;
  total: number;
}

export const catalog = {
  units: () => request<{ data: Unit[] }>('GET', '/units').then((r) => r.data.data),
  createUnit: (body: Partial<Omit<Unit, 'id'>>) => request<Unit>('POST', '/units', { body }).then((r) => r.data),
  updateUnit: (id: number, body: Partial<Omit<Unit, 'id'>>) => request<Unit>('PATCH', `/units/${id}`, { body }).then((r) => r.data),
  removeUnit: (id: number) => request<null>('DELETE', `/units/${id}`),
  products: (query: { q?: string; active?: string; limit?: number; cursor?: string }, signal?: AbortSignal) =>
    request<{ data: Product[]; next_cursor: string | null }>('GET', '/products', { query, signal }).then((r) => r.data),
  createProduct: (body: ProductInput) => request<Product>('POST', '/products', { body }).then((r) => r.data),
  updateProduct: (id: number, body: ProductInput) => request<Product>('PATCH', `/products/${id}`, { body }).then((r) => r.data),
  removeProduct: (id: number) => request<null>('DELETE', `/products/${id}`),
  priceLists: () => request<{ data: PriceList[] }>('GET', '/price-lists').then((r) => r.data.data),
  priceList: (id: number) => request<PriceList>('GET', `/price-lists/${id}`).then((r) => r.data),
  createPriceList: (body: PriceListInput) => request<PriceList>('POST', '/price-lists', { body }).then((r) => r.data),
  updatePriceList: (id: number, body: PriceListInput) =>
    request<PriceList>('PATCH', `/price-lists/${id}`, { body }).then((r) => r.data),
  removePriceList: (id: number) => request<null>('DELETE', `/price-lists/${id}`),
  quote: (body: { currency: string; price_list_id?: number; items: QuoteLine[] }, signal?: AbortSignal) =>
    request<Quote>('POST', '/line-items/quote', { body, signal }).then((r) => r.data),
  /** A deal's stored lines and totals. */
  dealItems: (id: number) => request<DealItems>('GET', `/deals/${id}/items`).then((r) => r.data),
};

// ---- activities: tasks, calls, meetings, emails and notes; my day; the timeline ----

export const ACTIVITY_KINDS = ['task', 'call', 'meeting', 'email', 'note', 'chat'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface ChecklistItem {
  text: string;
  done: boolean;
}

export interface Activity {
  id: number;
  kind: ActivityKind;
  subject: string | null;
  body: string | null;
  status: string;
  priority: string | null;
  due_at: string | null;
  start_at: string | null;
  end_at: string | null;
  done_at: string | null;
  company_id: number | null;
  contact_id: number | null;
  deal_id: number | null;
  company_name: string | null;
  contact_name: string | null;
  deal_name: string | null;
  participants: number[];
  direction: 'in' | 'out' | null;
  phone: string | null;
  duration_s: number | null;
  result: string | null;
  email_from: string | null;
  email_to: string[];
  place: string | null;
  estimate_min: number | null;
  spent_min: number | null;
  checklist: ChecklistItem[] | null;
  overdue: boolean;
  owner_id: number | null;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  tags: string[];
  custom: Record<string, CustomValue>;
  reminders?: number[] | null;
  recurrence?: Recurrence | null;
  series_id?: number | null;
  /** Set on the task of a process step (read-only). */
  process_instance_id?: number | null;
  process_step_id?: number | null;
  process_step_name?: string | null;
  process_name?: string | null;
}

export type RecurrenceFreq = 'daily' | 'weekly' | 'monthly' | 'yearly';

export interface Recurrence {
  freq: RecurrenceFreq;
  interval?: number;
  until?: string | null;
  count?: number | null;
}

export interface ActivityComment {
  id: number;
  activity_id: number;
  user_id: number;
  user_name: string | null;
  body: string;
  created_at: string;
}

export interface DayBucket {
  data: Activity[];
  count: number;
  more: number;
}

export interface MyDay {
  user_id: number;
  tz: string;
  now: string;
  date: string;
  overdue: DayBucket;
  today: DayBucket;
  tomorrow: DayBucket;
  this_week: DayBucket;
  process_steps?: WaitingStep[];
}

export type TimelineEntry =
  | { type: 'activity'; at: string; user_id: number | null; id: number; activity: Activity }
  | {
      type: 'change';
      at: string;
      user_id: number | null;
      id: number;
      action: string;
      changes?: Record<string, [unknown, unknown]>;
      values?: Record<string, unknown>;
    }
  | {
      type: 'stage';
      at: string;
      user_id: number | null;
      id: number;
      stage_id: number;
      stage_name: string | null;
      from_stage_id: number | null;
      from_stage_name: string | null;
    }
  | { type: 'document'; at: string; user_id: number | null; id: number; document: CrmDocument };

/** The records that have a timeline. */
export type TimelineEntity = 'companies' | 'contacts' | 'deals';

export const activities = {
  list: (query: Query, signal?: AbortSignal) =>
    request<Page<Activity>>('GET', '/activities', { query, signal }).then((r) => r.data),
  get: (id: number) => request<Activity>('GET', `/activities/${id}`),
  create: (body: Record<string, unknown>) => request<Activity>('POST', '/activities', { body }),
  update: (id: number, body: Record<string, unknown>, etag: string | null) =>
    request<Activity>('PATCH', `/activities/${id}`, { body, ifMatch: etag }),
  remove: (id: number) => request<null>('DELETE', `/activities/${id}`),
  complete: (id: number, etag?: string | null) => request<Activity>('POST', `/activities/${id}/complete`, { ifMatch: etag }),
  reopen: (id: number, etag?: string | null) => request<Activity>('POST', `/activities/${id}/reopen`, { ifMatch: etag }),
  myDay: (tz: string, userId: number | null, signal?: AbortSignal) =>
    request<MyDay>('GET', '/activities/my-day', { query: { tz, user_id: userId }, signal }).then((r) => r.data),
  timeline: (entity: TimelineEntity, id: number, query: Query, signal?: AbortSignal) =>
    request<{ data: TimelineEntry[]; next_cursor: string | null }>('GET', `/${entity}/${id}/timeline`, { query, signal }).then((r) => r.data),
  comments: (id: number, signal?: AbortSignal) =>
    request<{ data: ActivityComment[] }>('GET', `/activities/${id}/comments`, { signal }).then((r) => r.data.data),
  addComment: (id: number, body: string) =>
    request<ActivityComment>('POST', `/activities/${id}/comments`, { body: { body } }).then((r) => r.data),
  removeComment: (id: number, cid: number) => request<null>('DELETE', `/activities/${id}/comments/${cid}`),
};

// ---- notifications: the bell ----

export interface AppNotification {
  id: number;
  kind: 'reminder' | 'assigned' | 'unassigned' | string;
  title: string | null;
  body: string | null;
  entity: string | null;
  record_id: number | null;
  created_at: string;
  read_at: string | null;
  read: boolean;
}

export const notifications = {
  list: (query: Query = {}, signal?: AbortSignal) =>
    request<{ data: AppNotification[]; next_cursor?: string | null }>('GET', '/notifications', { query, signal }).then((r) => r.data),
  count: (signal?: AbortSignal) =>
    request<{ unread: number }>('GET', '/notifications/count', { signal }).then((r) => r.data.unread),
  read: (id: number) => request<{ unread: number }>('POST', `/notifications/${id}/read`).then((r) => r.data.unread),
  readAll: () => request<{ unread: number }>('POST', '/notifications/read-all').then((r) => r.data.unread),
  /** The live stream's address (EventSource sends the session cookie). */
  streamUrl: '/api/v1/notifications/stream',
};

// ---- the iCalendar feed ----

export const calendarFeed = {
  status: () => request<{ active: boolean; created_at: string | null }>('GET', '/auth/calendar-feed').then((r) => r.data),
  create: () => request<{ url: string; path: string }>('POST', '/auth/calendar-feed').then((r) => r.data),
  revoke: () => request<null>('DELETE', '/auth/calendar-feed'),
};

// ---- documents: files attached to a company, contact, deal, activity or ticket ----

/** The records that hold documents. */
export type DocumentEntity = 'companies' | 'contacts' | 'deals' | 'activities' | 'tickets';

export interface CrmDocument {
  id: number;
  entity: DocumentEntity;
  record_id: number;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  created_at: string;
  created_by: number | null;
}

/** An upload under way: `abort()` stops it; `done` settles with the server's answer or an ApiError. */
export interface Upload<T = CrmDocument> {
  done: Promise<T>;
  abort: () => void;
}

/**
 * POSTs a multipart/form-data body to path. XMLHttpRequest rather than fetch, because only it
 * reports the upload's progress; `onProgress` gets the fraction sent (0..1).
 */
function uploadForm<T>(path: string, form: FormData, onProgress?: (fraction: number) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.total ? e.loaded / e.total : 1);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError(xhr.status, xhr.statusText, ''));
        }
        return;
      }
      const res = new Response(xhr.responseText || null, { status: xhr.status, statusText: xhr.statusText });
      void parseError(res).then((err) => {
        if (xhr.status === 401 && unauthorizedHandler) unauthorizedHandler();
        reject(err);
      });
    };
    xhr.onerror = () => reject(new ApiError(0, 'Network error', ''));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

export const documents = {
  list: (entity: DocumentEntity, id: number, signal?: AbortSignal) =>
    request<{ data: CrmDocument[] }>('GET', `/${entity}/${id}/documents`, { signal }).then((r) => r.data.data),
  /** The record's trash: its deleted documents, the latest deleted first. */
  listDeleted: (entity: DocumentEntity, id: number, signal?: AbortSignal) =>
    request<{ data: CrmDocument[] }>('GET', `/${entity}/${id}/documents`, { query: { deleted: 'true' }, signal }).then((r) => r.data.data),
  remove: (id: number) => request<null>('DELETE', `/documents/${id}`),
  restore: (id: number) => request<CrmDocument>('POST', `/documents/${id}/restore`).then((r) => r.data),
  /** The file's address: a plain link downloads it with the session cookie; `inline` for previews (images, PDF). */
  contentUrl: (id: number, inline = false) => `/api/v1/documents/${id}/content${inline ? '?inline=1' : ''}`,
  /** Uploads one file (the part named `file`); `onProgress` gets the fraction sent (0..1). */
  upload(entity: DocumentEntity, id: number, file: File, onProgress?: (fraction: number) => void): Upload {
    const form = new FormData();
    form.append('file', file, file.name);
    return uploadForm<CrmDocument>(`/${entity}/${id}/documents`, form, onProgress);
  },
};

// workcal:begin
/* Working-hours calendars (admin screen #/admin/work-calendars; departments pick one). */
export interface WorkHoliday {
  date: string;
  name: string;
  /** null: closed all day; else the shortened day's intervals. */
  hours: string[] | null;
}
export interface WorkCalendar {
  id: number;
  name: string;
  tz: string;
  /** Monday to Sunday, each a list of "HH:MM-HH:MM"; [] is closed. */
  week: string[][];
  holidays?: WorkHoliday[];
  is_default: boolean;
  version: number;
  departments: number[];
}
export interface WorkCalendarInput {
  name?: string;
  tz?: string;
  week?: string[][];
  holidays?: WorkHoliday[];
}
export const workCalendars = {
  list: () => request<{ data: WorkCalendar[] }>('GET', '/work-calendars').then((r) => r.data.data),
  get: (id: number) => request<WorkCalendar>('GET', `/work-calendars/${id}`),
  create: (body: WorkCalendarInput) => request<WorkCalendar>('POST', '/work-calendars', { body }).then((r) => r.data),
  update: (id: number, body: WorkCalendarInput, ifMatch: string | null) =>
    request<WorkCalendar>('PATCH', `/work-calendars/${id}`, { body, ifMatch }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/work-calendars/${id}`),
  /** When `minutes` of working time after `from` (RFC 3339) are done. */
  due: (id: number, from: string, minutes: number) =>
    request<{ due_at: string }>('GET', `/work-calendars/${id}/due`, { query: { from, minutes } }).then((r) => r.data),
  /** The working minutes between two instants (RFC 3339), from <= to. */
  between: (id: number, from: string, to: string) =>
    request<{ minutes: number }>('GET', `/work-calendars/${id}/due`, { query: { from, to } }).then((r) => r.data.minutes),
};
// workcal:end
// ---- imports: CSV and XLSX files brought into a list (docs/api.md "Imports") ----

export type ImportEntity = 'companies' | 'contacts' | 'deals' | 'activities';
export const IMPORT_ENTITIES: ImportEntity[] = ['companies', 'contacts', 'deals', 'activities'];
export type ImportStatus = 'uploaded' | 'checking' | 'checked' | 'running' | 'done' | 'failed' | 'undoing' | 'undone';

/** A field a column can be mapped to. */
export interface ImportField {
  name: string;
  type: string;
  required: boolean;
  /** A custom field's label. */
  label?: string;
  max_length?: number;
  choices?: string[];
  /** For links: the entity named (by name or id). */
  links?: string;
}

/** One column of the file and where it goes (null: not imported). */
export interface ImportColumn {
  column: number;
  header: string;
  field: string | null;
  /** For choices: a value of the file -> the choice it stands for. */
  values?: Record<string, string>;
}

export interface ImportOptions {
  mode?: 'all' | 'skip';
  match?: string[];
  on_match?: 'create' | 'update' | 'skip' | 'merge';
  decimal?: '.' | ',';
  date_format?: string;
  percent?: 'sign' | 'fraction' | 'number';
  currency?: string;
}

export interface ImportError {
  row: number;
  kind: string;
  column: string;
  value: string;
  reason: string;
}

export interface ImportCounts {
  rows_total: number;
  rows_done: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  errors_total: number;
}

export interface CrmImport extends ImportCounts {
  id: number;
  entity: ImportEntity;
  status: ImportStatus;
  file_name: string;
  size: number;
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  sheet: string | null;
  sheets: string[] | null;
  header_row: number;
  headers: string[];
  sample: string[][];
  mapping: ImportColumn[];
  options: ImportOptions | null;
  /** The dry run's counts, once it ran. */
  dry_run: { rows: number; create: number; update: number; skip: number; errors: number } | null;
  errors?: ImportError[];
  fields?: ImportField[];
  created_by: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  undone_at: string | null;
  /** What the undo did, once it ran. */
  undo?: ImportUndo | null;
  error: string | null;
}

export interface ImportUndo {
  trashed: number;
  restored: number;
  conflicts: unknown[];
}

export interface ImportPatch {
  sheet?: string;
  encoding?: string | null;
  delimiter?: string | null;
  header_row?: number;
  mapping?: Pick<ImportColumn, 'column' | 'field' | 'values'>[];
  options?: ImportOptions;
}

export const imports = {
  /** Uploads a file for entity; encoding and delimiter empty to detect them. */
  upload(entity: ImportEntity, file: File, choice: { encoding?: string; delimiter?: string }, onProgress?: (f: number) => void): Upload<CrmImport> {
    const form = new FormData();
    form.append('entity', entity);
    if (choice.encoding) form.append('encoding', choice.encoding);
    if (choice.delimiter) form.append('delimiter', choice.delimiter);
    form.append('file', file, file.name);
    return uploadForm<CrmImport>('/imports', form, onProgress);
  },
  list: () => request<{ data: CrmImport[] }>('GET', '/imports').then((r) => r.data.data),
  get: (id: number, signal?: AbortSignal) => request<CrmImport>('GET', `/imports/${id}`, { signal }).then((r) => r.data),
  update: (id: number, patch: ImportPatch) => request<CrmImport>('PATCH', `/imports/${id}`, { body: patch }).then((r) => r.data),
  dryRun: (id: number) => request<unknown>('POST', `/imports/${id}/dry-run`),
  run: (id: number) => request<unknown>('POST', `/imports/${id}/run`),
  /** Starts the undo (a job: the import shows "undoing", then "undone" with its `undo` result). */
  undo: (id: number) => request<CrmImport>('POST', `/imports/${id}/undo`).then((r) => r.data),
  /** The error file (row,column,value,reason): a plain link downloads it with the session cookie. */
  errorsUrl: (id: number) => `/api/v1/imports/${id}/errors`,
};

// ---- workload: each person's next days, and the overload check (issue 12) ----

export interface WorkloadItem {
  id: number;
  kind: 'task' | 'meeting';
  subject: string;
  minutes: number;
  /** false: a task without an estimate (counted as the default) or a meeting without an end. */
  estimated: boolean;
  at: string;
}

export interface WorkloadDay {
  date: string;
  capacity_min: number;
  absent: boolean;
  task_min: number;
  meeting_min: number;
  planned_min: number;
  /** null: work on a day without working hours. */
  load_pct: number | null;
  overloaded: boolean;
  items: WorkloadItem[];
}

export interface WorkloadPerson {
  user_id: number;
  name: string;
  department_id: number | null;
  capacity_min: number;
  planned_min: number;
  load_pct: number | null;
  days: WorkloadDay[];
}

export interface Workload {
  from: string;
  to: string;
  days: number;
  default_estimate_min: number;
  people: WorkloadPerson[];
}

export interface WorkloadCheck {
  user_id: number;
  day: string;
  capacity_min: number;
  planned_before_min: number;
  planned_after_min: number;
  load_before: number | null;
  load_after: number | null;
  overloaded: boolean;
}

export const workload = {
  get: (query: Query, signal?: AbortSignal) => request<Workload>('GET', '/workload', { query, signal }).then((r) => r.data),
  check: (body: { user_id: number; due_at: string; estimate_min?: number; activity_id?: number }, signal?: AbortSignal) =>
    request<WorkloadCheck>('POST', '/workload/check', { body, signal }).then((r) => r.data),
};

// ---- plans and plan-fact (issue 12) ----

export const PLAN_METRICS = ['revenue_won', 'deals_won', 'avg_deal_size', 'new_clients', 'calls', 'meetings', 'tasks_done'] as const;
/** A built-in metric, or a saved designer report that answers one number ("report:12"). */
export type PlanMetric = (typeof PLAN_METRICS)[number] | `report:${number}`;
export type PlanScope = 'company' | 'department' | 'user';

export interface PlanRow {
  scope: PlanScope;
  id: number | null;
  name: string;
  parent_id?: number | null;
  department_id?: number | null;
  plan: Partial<Record<PlanMetric, number>>;
}

export interface PlanGrid {
  period: string;
  metrics: PlanMetric[];
  rows: PlanRow[];
}

export interface PlanFactCell {
  plan: number | null;
  /** null: a report metric whose report no longer answers one number for the reader. */
  actual: number | null;
  percent: number | null;
  projection: number | null;
  pace_needed: number | null;
  behind: boolean;
}

export interface PlanFact {
  period: string;
  from: string;
  to: string;
  working_days: number;
  elapsed_days: number;
  rows: (Omit<PlanRow, 'plan'> & { metrics: Record<PlanMetric, PlanFactCell> })[];
}

/** What a plan file's check or import found (docs/api.md, "Importing targets"). */
export interface PlanImport {
  dry_run: boolean;
  rows: number;
  written: number;
  error_count: number;
  errors: { row: number; column: string; value: string; reason: string }[];
}

export const plans = {
  /** Checks (dryRun) or imports a CSV/XLSX of targets; a run with bad cells rejects with 422. */
  importFile: (file: File, dryRun: boolean): Upload<PlanImport> => {
    const form = new FormData();
    form.append('file', file, file.name);
    return uploadForm<PlanImport>(`/plans/import?dry_run=${dryRun ? 'true' : 'false'}`, form);
  },
  grid: (period: string) => request<PlanGrid>('GET', '/plans', { query: { period } }).then((r) => r.data),
  put: (period: string, cells: { scope: PlanScope; id: number | null; metric: PlanMetric; target: number | null }[]) =>
    request<PlanGrid>('PUT', '/plans', { body: { period, cells } }).then((r) => r.data),
  split: (body: { department_id: number; metric: PlanMetric; period: string; mode: 'equal' }) =>
    request<{ people: { user_id: number; name: string; target: number }[] }>('POST', '/plans/split', { body }).then((r) => r.data),
  fact: (period: string, departmentId?: string) =>
    request<PlanFact>('GET', '/plans/fact', { query: { period, department_id: departmentId || undefined } }).then((r) => r.data),
};

// ---- the revenue forecast (docs/api.md, "Forecast") ----

export interface ForecastMonth {
  month: string;
  pipeline: number;
  pipeline_deals: number;
  won_to_date: number;
  history: number | null;
  history_years: number;
  low: number | null;
  high: number | null;
  combined: number;
  combined_low: number;
  combined_high: number;
}

export interface Forecast {
  months: number;
  as_of: string;
  base_currency: string;
  trend_bp: number | null;
  forecast: ForecastMonth[];
  undated: { count: number; weighted: number };
  beyond: { count: number; weighted: number };
  unconverted: number;
  backtest: { mape_bp: number | null; months: { month: string; actual: number; forecast: number | null; error_bp: number | null }[] };
}

export const forecast = {
  get: (query: Query, signal?: AbortSignal) => request<Forecast>('GET', '/forecast', { query, signal }).then((r) => r.data),
};

// ---- KPI scorecards (docs/api.md, "KPI scorecards") ----

export const KPI_METRICS = [...PLAN_METRICS, 'data_completeness', 'activities_logged', 'tasks_on_time', 'steps_on_time', 'overdue_tasks'] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];
export type KpiRule = 'linear' | 'threshold' | 'inverse';
export type KpiPeriodKind = 'month' | 'quarter' | 'year';

export interface KpiLine {
  metric: KpiMetric;
  target: number;
  weight: number;
  rule: KpiRule;
  cap?: number;
  worst?: number;
  bands?: { min: number; score: number }[];
}

export interface KpiScorecardInput {
  name: string;
  applies: 'users' | 'department' | 'role';
  user_ids?: number[];
  department_id?: number | null;
  role_id?: number | null;
  period_kind: KpiPeriodKind;
  lines: KpiLine[];
}

/** A scorecard as read; who it applies to (applies, user_ids, department_id, role_id) only an administrator reads. */
export interface KpiScorecard extends Omit<KpiScorecardInput, 'applies'> {
  id: number;
  applies?: KpiScorecardInput['applies'];
  version: number;
}

/** A line as explained: scores in basis points (10000 = 100 points); null actual: no data. */
export interface KpiLineResult extends KpiLine {
  actual: number | null;
  no_data: boolean;
  score_bp: number | null;
  contribution_bp: number;
}

export interface KpiPersonResult {
  user_id: number;
  name: string;
  department_id: number | null;
  closed: boolean;
  closed_at: string | null;
  total_bp: number | null;
  lines: KpiLineResult[];
}

export interface KpiResults {
  scorecard_id: number;
  name: string;
  period: string;
  period_kind: KpiPeriodKind;
  from: string;
  to: string;
  people: KpiPersonResult[];
}

export const kpi = {
  list: () => request<{ data: KpiScorecard[] }>('GET', '/kpi/scorecards').then((r) => r.data.data),
  create: (body: KpiScorecardInput) => request<KpiScorecard>('POST', '/kpi/scorecards', { body }).then((r) => r.data),
  /** One scorecard with its ETag, which update sends back as If-Match (412 when someone saved meanwhile). */
  get: (id: number) => request<KpiScorecard>('GET', `/kpi/scorecards/${id}`),
  update: (id: number, body: KpiScorecardInput, ifMatch: string | null) =>
    request<KpiScorecard>('PATCH', `/kpi/scorecards/${id}`, { body, ifMatch }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/kpi/scorecards/${id}`),
  results: (scorecardId: number, period: string, userId?: number) =>
    request<KpiResults>('GET', '/kpi/results', { query: { scorecard_id: String(scorecardId), period, user_id: userId ? String(userId) : undefined } }).then((r) => r.data),
  close: (scorecardId: number, period: string) =>
    request<KpiResults>('POST', '/kpi/periods/close', { body: { scorecard_id: scorecardId, period } }).then((r) => r.data),
  reopen: (scorecardId: number, period: string) =>
    request<KpiResults>('POST', '/kpi/periods/reopen', { body: { scorecard_id: scorecardId, period } }).then((r) => r.data),
};

// ---- service desk (docs/api.md, "Service desk: tickets") ----

export const TICKET_STATUSES = ['new', 'open', 'waiting', 'resolved', 'closed', 'reopened'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** The moves the server's workflow allows (a copy for the buttons; the server decides). */
export const TICKET_MOVES: Record<TicketStatus, TicketStatus[]> = {
  new: ['open', 'waiting', 'resolved', 'closed'],
  open: ['waiting', 'resolved', 'closed'],
  reopened: ['waiting', 'resolved', 'closed'],
  waiting: ['open', 'resolved', 'closed'],
  resolved: ['closed', 'reopened'],
  closed: ['reopened'],
};

export interface TicketLink {
  entity: 'deals' | 'activities';
  id: number;
}

export interface Ticket {
  id: number;
  version: number;
  owner_id: number | null;
  subject: string;
  description: string | null;
  channel: string;
  category: string | null;
  priority: TicketPriority;
  status: TicketStatus;
  queue_id: number | null;
  queue_name?: string | null;
  company_id: number | null;
  company_name?: string | null;
  contact_id: number | null;
  contact_name?: string | null;
  email: string | null;
  phone: string | null;
  links: TicketLink[] | null;
  received_at: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  satisfaction: number | null;
  sla_policy_id: number | null;
  response_due_at: string | null;
  resolution_due_at: string | null;
  response_breached: number | boolean | null;
  resolution_breached: number | boolean | null;
  sla_paused_at: string | null;
  merged_into_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface TicketMessage {
  id: number;
  ticket_id: number;
  kind: 'public' | 'internal';
  author_user_id: number | null;
  author_name: string | null;
  author_contact_id: number | null;
  body: string;
  created_at: string;
}

export interface SlaPolicy {
  id: number;
  name: string;
  position: number;
  priority: string | null;
  category: string | null;
  tier: string | null;
  response_min: number;
  resolution_min: number;
  calendar_id: number | null;
  warn_before_min: number;
  notify_owner: boolean;
  notify_user_ids: number[];
  reassign_user_id: number | null;
  reassign_queue_id: number | null;
  raise_priority: boolean;
}

export type QueueRule = 'round_robin' | 'least_loaded' | 'by_category';
export interface Queue {
  id: number;
  name: string;
  rule: QueueRule;
  members: number[];
  category_map: Record<string, number>;
}

export interface CannedResponse {
  id: number;
  name: string;
  body: string;
}

/** A web form a company embeds on its site (admin; docs/api.md, "Web forms"). */
export type WebFormField = 'name' | 'email' | 'phone' | 'subject' | 'message';
export const WEB_FORM_FIELDS: WebFormField[] = ['name', 'email', 'phone', 'subject', 'message'];
export interface WebForm {
  id: number;
  name: string;
  /** Made by the server; the page is /f/{public_key}. */
  public_key: string;
  enabled: boolean;
  origins: string[];
  fields: WebFormField[];
  queue_id: number | null;
  category: string | null;
  priority: TicketPriority | null;
  title: string | null;
  thanks: string | null;
  address_max: number;
  address_window_min: number;
  form_max: number;
  form_window_min: number;
}

export interface SupportCounts {
  open: number;
  resolved: number;
  breached: number;
}

export interface SupportReport {
  open: { total: number; by_status: Record<string, number>; by_age: Record<string, number> };
  sla: { with_policy: number; met: number; breached: number; compliance_pct: number | null };
  first_response_min: { count: number; median: number | null };
  resolution_min: { count: number; median: number | null };
  satisfaction: { count: number; average: number | null };
  agents: (SupportCounts & { user_id: number; name: string })[];
  queues: (SupportCounts & { queue_id: number; name: string })[];
}

/** The admin tables of the desk share one shape: list, create, update, delete. */
function deskTable<T, I = Partial<T>>(path: string) {
  return {
    list: () => request<{ data: T[] }>('GET', path).then((r) => r.data.data),
    create: (body: I) => request<T>('POST', path, { body }).then((r) => r.data),
    update: (id: number, body: I) => request<T>('PATCH', `${path}/${id}`, { body }).then((r) => r.data),
    remove: (id: number) => request<null>('DELETE', `${path}/${id}`),
  };
}

export const desk = {
  list: (query: Query, signal?: AbortSignal) => request<Page<Ticket>>('GET', '/tickets', { query, signal }).then((r) => r.data),
  get: (id: number) => request<Ticket>('GET', `/tickets/${id}`),
  create: (body: Record<string, unknown>) => request<Ticket>('POST', '/tickets', { body }).then((r) => r.data),
  update: (id: number, body: Record<string, unknown>, etag: string | null) =>
    request<Ticket>('PATCH', `/tickets/${id}`, { body, ifMatch: etag }),
  messages: (id: number) => request<{ data: TicketMessage[] }>('GET', `/tickets/${id}/messages`).then((r) => r.data.data),
  reply: (id: number, body: { kind: 'public' | 'internal'; body: string }) =>
    request<TicketMessage>('POST', `/tickets/${id}/messages`, { body }).then((r) => r.data),
  merge: (id: number, into: number) => request<Ticket>('POST', `/tickets/${id}/merge`, { body: { into } }).then((r) => r.data),
  policies: deskTable<SlaPolicy>('/sla-policies'),
  queues: deskTable<Queue>('/queues'),
  canned: deskTable<CannedResponse>('/canned-responses'),
  forms: deskTable<WebForm>('/desk/forms'),
  render: (cannedId: number, ticketId: number) =>
    request<{ body: string }>('POST', `/canned-responses/${cannedId}/render`, { body: { ticket_id: ticketId } }).then((r) => r.data.body),
  report: (query: Query) => request<SupportReport>('GET', '/reports/support', { query }).then((r) => r.data),
};

// ---- knowledge base (docs/api.md, "Knowledge base") ----

export type KbVisibility = 'internal' | 'public';
export interface KbQuestion {
  question: string;
  choices: string[];
  /** Only administrators receive the right answer. */
  answer?: number;
}
export interface KbCategory {
  id: number;
  name: string;
  position: number | null;
}
export interface KbArticleSummary {
  id: number;
  title: string;
  category_id: number | null;
  visibility: KbVisibility;
  has_quiz: boolean;
  updated_at: string;
}
export interface KbArticle {
  id: number;
  version: number;
  title: string;
  category_id: number | null;
  visibility: KbVisibility;
  body: string;
  /** Sanitised on the server (cmark's safe mode); shown through SafeHtml all the same. */
  body_html: string;
  quiz: KbQuestion[] | null;
  updated_at: string;
}
export interface KbQuizResult {
  id: number;
  user_id: number;
  name: string;
  score: number;
  total: number;
  created_at: string;
}

export const kb = {
  categories: deskTable<KbCategory>('/kb/categories'),
  list: (query: Query, signal?: AbortSignal) =>
    request<{ data: KbArticleSummary[] }>('GET', '/kb/articles', { query, signal }).then((r) => r.data.data),
  get: (id: number) => request<KbArticle>('GET', `/kb/articles/${id}`).then((r) => r.data),
  create: (body: Record<string, unknown>) => request<KbArticle>('POST', '/kb/articles', { body }).then((r) => r.data),
  update: (id: number, body: Record<string, unknown>) => request<KbArticle>('PATCH', `/kb/articles/${id}`, { body }).then((r) => r.data),
  remove: (id: number) => request<null>('DELETE', `/kb/articles/${id}`),
  takeQuiz: (id: number, answers: number[]) =>
    request<{ score: number; total: number; correct: boolean[] }>('POST', `/kb/articles/${id}/quiz`, { body: { answers } }).then((r) => r.data),
  results: (id: number) => request<{ data: KbQuizResult[] }>('GET', `/kb/articles/${id}/quiz-results`).then((r) => r.data.data),
};

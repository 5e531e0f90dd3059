import { useEffect, useRef, useState, type ReactNode } from 'react';
import { audit, IMPORT_ENTITIES, type Me } from '../api';
import { getLang, LANGUAGES, t, type Lang } from '../i18n';
import { can } from '../rights';
import { GlobalSearch } from './GlobalSearch';
import { NotificationBell } from './NotificationBell';

interface Props {
  user: Me;
  section: string;
  onSignOut: () => void;
  onLang: (l: Lang) => void;
  children: ReactNode;
}

function NavLink({ to, active, icon, children, badge }: { to: string; active: boolean; icon: ReactNode; children: ReactNode; badge?: ReactNode }) {
  return (
    <a href={`#${to}`} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      <span className="nav-icon" aria-hidden="true">
        {icon}
      </span>
      <span>{children}</span>
      {badge}
    </a>
  );
}

/** Alerts of the last day (mass reading, …) for administrators: polled while the app is open. */
function useRecentAlerts(enabled: boolean): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!enabled) return undefined;
    let live = true;
    const load = () => {
      const from = new Date(Date.now() - 86400000).toISOString();
      audit
        .list({ action: 'alert.', from }, null)
        .then((p) => live && setN(p.data.length))
        .catch(() => {
          /* the badge is a hint; the audit screen shows errors */
        });
    };
    load();
    const timer = window.setInterval(load, 60000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [enabled]);
  return n;
}

const icons = {
  kb: (
    <svg viewBox="0 0 20 20">
      <path d="M10 5.5C8.5 4.3 6 3.8 3 4v11.5c3-.2 5.5.3 7 1.5 1.5-1.2 4-1.7 7-1.5V4c-3-.2-5.5.3-7 1.5ZM10 5.5V17" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
    </svg>
  ),
  tickets: (
    <svg viewBox="0 0 20 20">
      <path d="M3 5.5h14v3a1.8 1.8 0 0 0 0 3.5v3H3v-3a1.8 1.8 0 0 0 0-3.5ZM8 5.5v9" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" strokeDasharray="0" />
    </svg>
  ),
  support: (
    <svg viewBox="0 0 20 20">
      <path d="M3 16.5h14M5 16.5v-5M9 16.5V6M13 16.5v-8M17 16.5V4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  imports: (
    <svg viewBox="0 0 20 20">
      <path d="M10 3v9M6.5 8.5 10 12l3.5-3.5M4 13.5V16h12v-2.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  myDay: (
    <svg viewBox="0 0 20 20">
      <circle cx="10" cy="10" r="7" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M10 5.5V10l3 2" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  plans: (
    <svg viewBox="0 0 20 20">
      <path d="M3.5 16.5h13M5.5 16.5v-5M9.5 16.5v-8M13.5 16.5V5M4 8l4-3 3 2 5-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  kpi: (
    <svg viewBox="0 0 20 20">
      <path d="M3 15a7 7 0 0 1 14 0M10 15l3.5-4.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  workload: (
    <svg viewBox="0 0 20 20">
      <path d="M3.5 4h4v4h-4ZM8 4h4v4H8ZM12.5 4h4v4h-4ZM3.5 8.5h4v4h-4ZM8 8.5h4v4H8ZM12.5 8.5h4v4h-4ZM3.5 13h4v3.5h-4ZM8 13h4v3.5H8ZM12.5 13h4v3.5h-4Z" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinejoin="round" />
    </svg>
  ),
  calendar: (
    <svg viewBox="0 0 20 20">
      <path d="M3.5 5h13v11.5h-13ZM3.5 8.5h13M7 3v3.5M13 3v3.5M7 11.5h2M11 11.5h2M7 14h2" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  activities: (
    <svg viewBox="0 0 20 20">
      <path d="M3 5.5 4.5 7 7 4.5M3 11.5 4.5 13 7 10.5M9.5 6h8M9.5 12h8M9.5 16h8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  companies: (
    <svg viewBox="0 0 20 20">
      <path d="M3 17V5l7-2v14M10 7h7v10M6 7h1M6 10h1M6 13h1M13 10h1M13 13h1M2 17h16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  contacts: (
    <svg viewBox="0 0 20 20">
      <circle cx="10" cy="7" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M3.5 17c.8-3.3 3.4-5 6.5-5s5.7 1.7 6.5 5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  deals: (
    <svg viewBox="0 0 20 20">
      <rect x="2.5" y="3.5" width="4" height="13" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="8" y="3.5" width="4" height="9" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="13.5" y="3.5" width="4" height="6" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  ),
  funnel: (
    <svg viewBox="0 0 20 20">
      <path d="M2.5 4h15l-5.5 6.5V16l-4 1.5v-7Z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
    </svg>
  ),
  fields: (
    <svg viewBox="0 0 20 20">
      <rect x="3" y="4" width="14" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="3" y="12" width="14" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  ),
  users: (
    <svg viewBox="0 0 20 20">
      <circle cx="7.5" cy="7" r="2.6" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <circle cx="14" cy="8" r="2.1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M2.5 16c.6-2.7 2.6-4 5-4s4.4 1.3 5 4M12.5 12.4c2.2-.3 4.3.8 5 3.1" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  tree: (
    <svg viewBox="0 0 20 20">
      <rect x="7" y="2.5" width="6" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="2.5" y="13.5" width="6" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="11.5" y="13.5" width="6" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M10 6.5v3.5M5.5 13.5V10h9v3.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  ),
  key: (
    <svg viewBox="0 0 20 20">
      <circle cx="7" cy="10" r="3.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M10.5 10H17M14.5 10v3M17 10v2.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  ),
  transfer: (
    <svg viewBox="0 0 20 20">
      <path d="M3 7h13M12.5 3.5 16 7l-3.5 3.5M17 13H4M7.5 9.5 4 13l3.5 3.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  backup: (
    <svg viewBox="0 0 20 20">
      <ellipse cx="10" cy="5" rx="6" ry="2.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M4 5v10c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5V5M4 10c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  ),
  processes: (
    <svg viewBox="0 0 20 20">
      <rect x="2.5" y="3" width="5" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="12.5" y="13" width="5" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M5 7v3h10v3" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
    </svg>
  ),
  mail: (
    <svg viewBox="0 0 20 20">
      <path d="M3 5h14v10H3ZM3 5l7 6 7-6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
    </svg>
  ),
  products: (
    <svg viewBox="0 0 20 20">
      <path d="M10 2.5 3.5 6v8L10 17.5 16.5 14V6L10 2.5ZM3.5 6 10 9.5 16.5 6M10 9.5v8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
    </svg>
  ),
  audit: (
    <svg viewBox="0 0 20 20">
      <path d="M10 2.5 4 5v4.5c0 3.8 2.6 6.6 6 8 3.4-1.4 6-4.2 6-8V5l-6-2.5Z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
      <path d="m7.3 10 2 2 3.5-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  signout: (
    <svg viewBox="0 0 20 20">
      <path d="M8 4H4v12h4M12 6l4 4-4 4M16 10H8" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
};

/** The signed-in frame: left navigation (a top menu on phones) and the top bar with search. */
export function Layout({ user, section, onSignOut, onLang, children }: Props) {
  const alerts = useRecentAlerts(user.is_admin);
  const nav = useRef<HTMLElement>(null);
  // The menu scrolls on short screens: keep the current section in sight.
  useEffect(() => {
    nav.current?.querySelector('.nav-link.active')?.scrollIntoView({ block: 'nearest' });
  }, [section]);
  const initials = (user.name || user.email)
    .split(/\s+/)
    .map((w) => w.charAt(0))
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <div className="app-shell">
      <aside className="sidebar">
        <a href="#/contacts" className="brand">
          <span className="brand-mark" aria-hidden="true">
            C
          </span>
          <span className="brand-name">{t('app.name')}</span>
        </a>
        <nav className="nav" ref={nav} aria-label={t('nav.main')}>
          {can('activities', 'read') && (
            <>
              <NavLink to="/my-day" active={section === 'my-day'} icon={icons.myDay}>
                {t('nav.myDay')}
              </NavLink>
              <NavLink to="/calendar" active={section === 'calendar'} icon={icons.calendar}>
                {t('nav.calendar')}
              </NavLink>
              <NavLink to="/activities" active={section === 'activities'} icon={icons.activities}>
                {t('nav.activities')}
              </NavLink>
              <NavLink to="/workload" active={section === 'workload'} icon={icons.workload}>
                {t('nav.workload')}
              </NavLink>
            </>
          )}
          <NavLink to="/companies" active={section === 'companies'} icon={icons.companies}>
            {t('nav.companies')}
          </NavLink>
          <NavLink to="/contacts" active={section === 'contacts'} icon={icons.contacts}>
            {t('nav.contacts')}
          </NavLink>
          {can('deals', 'read') && (
            <>
              <NavLink to="/deals" active={section === 'deals'} icon={icons.deals}>
                {t('nav.deals')}
              </NavLink>
              <NavLink to="/plans" active={section === 'plans'} icon={icons.plans}>
                {t('nav.plans')}
              </NavLink>
            </>
          )}
          <NavLink to="/kpi" active={section === 'kpi'} icon={icons.kpi}>
            {t('nav.kpi')}
          </NavLink>
          {can('tickets', 'read') && (
            <>
              <NavLink to="/tickets" active={section === 'tickets'} icon={icons.tickets}>
                {t('nav.tickets')}
              </NavLink>
              <NavLink to="/reports/support" active={section === 'reports/support'} icon={icons.support}>
                {t('nav.support')}
              </NavLink>
            </>
          )}
          <NavLink to="/processes" active={section === 'processes'} icon={icons.processes}>
            {t('nav.processesRun')}
          </NavLink>
          <NavLink to="/kb" active={section === 'kb'} icon={icons.kb}>
            {t('nav.kb')}
          </NavLink>
          <NavLink to="/reports" active={section.startsWith('reports') && section !== 'reports/support'} icon={icons.funnel}>
            {t('nav.reports')}
          </NavLink>
          {IMPORT_ENTITIES.some((e) => can(e, 'import')) && (
            <NavLink to="/imports" active={section === 'imports'} icon={icons.imports}>
              {t('nav.imports')}
            </NavLink>
          )}
          <div className="nav-group" aria-hidden="true">
            {t('nav.settings')}
          </div>
          <NavLink to="/settings/custom-fields" active={section === 'settings'} icon={icons.fields}>
            {t('nav.customFields')}
          </NavLink>
          {user.is_admin && (
            <>
              <div className="nav-group" aria-hidden="true">
                {t('nav.administration')}
              </div>
              <NavLink to="/admin/users" active={section === 'admin/users'} icon={icons.users}>
                {t('nav.users')}
              </NavLink>
              <NavLink to="/admin/departments" active={section === 'admin/departments'} icon={icons.tree}>
                {t('nav.departments')}
              </NavLink>
              <NavLink to="/admin/roles" active={section === 'admin/roles'} icon={icons.key}>
                {t('nav.roles')}
              </NavLink>
              <NavLink to="/admin/transfer" active={section === 'admin/transfer'} icon={icons.transfer}>
                {t('nav.transfer')}
              </NavLink>
              <NavLink to="/admin/products" active={section === 'admin/products'} icon={icons.products}>
                {t('nav.products')}
              </NavLink>
              <NavLink to="/admin/pipelines" active={section === 'admin/pipelines'} icon={icons.deals}>
                {t('nav.pipelines')}
              </NavLink>
              <NavLink to="/admin/work-calendars" active={section === 'admin/work-calendars'} icon={icons.myDay}>
                {t('nav.workCalendars')}
              </NavLink>
              <NavLink to="/admin/sla-policies" active={section === 'admin/sla-policies'} icon={icons.myDay}>
                {t('nav.slaPolicies')}
              </NavLink>
              <NavLink to="/admin/queues" active={section === 'admin/queues'} icon={icons.tickets}>
                {t('nav.queues')}
              </NavLink>
              <NavLink to="/admin/canned-responses" active={section === 'admin/canned-responses'} icon={icons.mail}>
                {t('nav.canned')}
              </NavLink>
              <NavLink to="/admin/kb-categories" active={section === 'admin/kb-categories'} icon={icons.kb}>
                {t('nav.kbCategories')}
              </NavLink>
              <NavLink to="/admin/web-forms" active={section === 'admin/web-forms'} icon={icons.mail}>
                {t('nav.webForms')}
              </NavLink>
              <NavLink to="/admin/desk-mailbox" active={section === 'admin/desk-mailbox'} icon={icons.mail}>
                {t('nav.deskMailbox')}
              </NavLink>
              <NavLink to="/admin/processes" active={section === 'admin/processes'} icon={icons.processes}>
                {t('nav.processes')}
              </NavLink>
              <NavLink to="/admin/backups" active={section === 'admin/backups'} icon={icons.backup}>
                {t('nav.backups')}
              </NavLink>
              <NavLink to="/admin/mail" active={section === 'admin/mail'} icon={icons.mail}>
                {t('nav.mail')}
              </NavLink>
              <NavLink
                to={alerts > 0 ? '/admin/audit?action=alert.' : '/admin/audit'}
                active={section === 'admin/audit'}
                icon={icons.audit}
                badge={
                  alerts > 0 ? (
                    <span className="nav-badge" title={t('nav.alerts', { n: String(alerts) })}>
                      {alerts}
                      <span className="sr-only">{t('nav.alerts', { n: String(alerts) })}</span>
                    </span>
                  ) : undefined
                }
              >
                {t('nav.audit')}
              </NavLink>
            </>
          )}
        </nav>
        <div className="sidebar-footer">
          <a
            href="#/account"
            className={section === 'account' ? 'user-chip active' : 'user-chip'}
            title={t('nav.signedInAs', { name: user.email })}
            aria-current={section === 'account' ? 'page' : undefined}
          >
            <span className="avatar" aria-hidden="true">
              {initials}
            </span>
            <span className="user-text">
              <span className="user-name">{user.name || user.email}</span>
              <span className="user-role">{user.is_admin ? t('nav.admin') : (user.role?.name ?? user.email)}</span>
              <span className="sr-only">{t('nav.account')}</span>
            </span>
          </a>
          <a
            href="#/account/two-factor"
            className={section === 'account/two-factor' ? 'nav-link active' : 'nav-link'}
          >
            <span className="nav-icon" aria-hidden="true">
              {icons.key}
            </span>
            <span>{t('nav.twoFactor')}</span>
          </a>
          <label className="lang-select">
            <span className="sr-only">{t('nav.language')}</span>
            <select value={getLang()} onChange={(e) => onLang(e.target.value as Lang)} aria-label={t('nav.language')}>
              {Object.entries(LANGUAGES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="nav-link signout" onClick={onSignOut}>
            <span className="nav-icon" aria-hidden="true">
              {icons.signout}
            </span>
            <span>{t('nav.signOut')}</span>
          </button>
        </div>
      </aside>
      <div className="main-col">
        <header className="topbar">
          <GlobalSearch />
          <NotificationBell />
        </header>
        <main className="content" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}

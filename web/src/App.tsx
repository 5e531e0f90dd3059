import { useCallback, useEffect, useState } from 'react';
import { TwoFactorScreen } from './account/TwoFactorScreen';
import { ActivitiesScreen } from './activities/ActivitiesScreen';
import { MyDayScreen } from './activities/MyDayScreen';
import { CalendarScreen } from './calendar/CalendarScreen';
import { auth, onUnauthorized, users, type Me } from './api';
import { BackupsScreen } from './admin/BackupsScreen';
import { MailboxScreen } from './admin/MailboxScreen';
import { MailScreen } from './admin/MailScreen';
import { DepartmentsScreen } from './admin/DepartmentsScreen';
import { ProductsScreen } from './admin/ProductsScreen';
import { PipelinesScreen } from './admin/pipelines/PipelinesScreen';
import { ProcessesScreen } from './admin/ProcessesScreen';
import { EditorScreen } from './processes/EditorScreen';
import { WizardScreen } from './processes/WizardScreen';
import { InstanceScreen } from './processes/run/InstanceScreen';
import { MonitorScreen } from './processes/run/MonitorScreen';
import { AuditScreen } from './audit/AuditScreen';
import { RolesScreen } from './admin/RolesScreen';
import { TransferScreen } from './admin/TransferScreen';
import { UsersScreen } from './admin/UsersScreen';
import { WorkCalendarsScreen } from './admin/WorkCalendarsScreen';
import { CannedScreen, KbCategoriesScreen, QueuesScreen, SlaPoliciesScreen, WebFormsScreen } from './admin/DeskAdminScreen';
import { TicketsScreen } from './tickets/TicketsScreen';
import { KbScreen } from './kb/KbScreen';
import { AccountScreen } from './account/AccountScreen';
import { SystemBanner } from './account/SystemBanner';
import { SignIn } from './auth/SignIn';
import { ErrorBanner } from './common/ErrorBanner';
import { Layout } from './common/Layout';
import { ToastProvider } from './common/Toast';
import { CompaniesScreen } from './companies/CompaniesScreen';
import { ContactsScreen } from './contacts/ContactsScreen';
import { CustomFieldsScreen } from './customfields/CustomFieldsScreen';
import { DealsScreen } from './deals/DealsScreen';
import { ImportsScreen } from './imports/ImportsScreen';
import { ReportsScreen } from './reports/ReportsScreen';
import { WorkloadScreen } from './workload/WorkloadScreen';
import { PlansScreen } from './plans/PlansScreen';
import { KpiScreen } from './kpi/KpiScreen';
import { setLang, t, type Lang } from './i18n';
import { can } from './rights';
import { navigate, useRoute } from './router';

type Session =
  | { state: 'loading' }
  | { state: 'out'; notice?: string }
  | { state: 'in'; user: Me }
  | { state: 'enrol'; user: Me }; // must set up a second factor first

export function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [, setLangTick] = useState(0);
  const route = useRoute();

  useEffect(() => {
    let live = true;
    auth
      .me()
      .then((u) => live && setSession({ state: 'in', user: u }))
      .catch(() => live && setSession({ state: 'out' }));
    onUnauthorized(() => {
      users.forget();
      setSession((s) => (s.state === 'in' || s.state === 'enrol' ? { state: 'out', notice: t('auth.sessionEnded') } : s));
    });
    return () => {
      live = false;
      onUnauthorized(null);
    };
  }, []);

  const signOut = useCallback(async () => {
    try {
      await auth.logout();
    } catch {
      /* signed out either way */
    }
    users.forget();
    setSession({ state: 'out' });
  }, []);

  const changeLang = useCallback((l: Lang) => {
    setLang(l);
    setLangTick((x) => x + 1);
  }, []);

  useEffect(() => {
    // The day's work first; without the activities right, the contacts.
    if (session.state === 'in' && route.path.length === 0) navigate(can('activities', 'read') ? '/my-day' : '/contacts');
  }, [session.state, route.path.length]);

  if (session.state === 'loading') {
    return <div className="boot">{t('app.loading')}</div>;
  }
  if (session.state === 'out') {
    return (
      <SignIn
        notice={session.notice}
        onSignedIn={(u, enrol) => {
          if (enrol) setSession({ state: 'enrol', user: u });
          // The rights come with /auth/me, not with the sign-in answer.
          else
            auth
              .me()
              .then((me) => setSession({ state: 'in', user: me }))
              .catch(() => setSession({ state: 'in', user: u }));
        }}
      />
    );
  }
  if (session.state === 'enrol') {
    const user = session.user;
    return (
      <ToastProvider>
        <TwoFactorScreen
          onEnrolled={() =>
            auth
              .me()
              .then((me) => setSession({ state: 'in', user: me }))
              .catch(() => setSession({ state: 'in', user }))
          }
        />
      </ToastProvider>
    );
  }

  const section = route.path[0] ?? 'contacts';
  let screen;
  if (section === 'companies') screen = <CompaniesScreen path={route.path} query={route.query} />;
  else if (section === 'contacts') screen = <ContactsScreen path={route.path} query={route.query} />;
  else if (section === 'my-day') screen = <MyDayScreen key={route.query.get('user_id') ?? ''} query={route.query} />;
  else if (section === 'calendar') screen = <CalendarScreen query={route.query} />;
  else if (section === 'activities') screen = <ActivitiesScreen path={route.path} query={route.query} />;
  else if (section === 'processes' && route.path[1]) screen = <InstanceScreen key={route.path[1]} id={Number(route.path[1])} />;
  else if (section === 'processes') screen = <MonitorScreen query={route.query} />;
  else if (section === 'deals') screen = <DealsScreen path={route.path} query={route.query} />;
  else if (section === 'tickets') screen = <TicketsScreen path={route.path} query={route.query} />;
  else if (section === 'kb') screen = <KbScreen path={route.path} query={route.query} />;
  else if (section === 'imports') screen = <ImportsScreen path={route.path} query={route.query} />;
  else if (section === 'workload') screen = <WorkloadScreen query={route.query} />;
  else if (section === 'plans') screen = <PlansScreen query={route.query} />;
  else if (section === 'kpi') screen = <KpiScreen query={route.query} me={session.user} />;
  else if (section === 'reports') screen = <ReportsScreen path={route.path} query={route.query} />;
  else if (section === 'account' && route.path[1] === 'two-factor') screen = <TwoFactorScreen />;
  else if (section === 'account') screen = <AccountScreen isAdmin={session.user.is_admin} />;
  else if (section === 'settings') screen = <CustomFieldsScreen query={route.query} isAdmin={session.user.is_admin} />;
  else if (section === 'admin') screen = <AdminScreen isAdmin={session.user.is_admin} path={route.path} query={route.query} />;
  else
    screen = (
      <section className="page">
        <ErrorBanner message={t('error.notFound')}>
          <a className="btn btn-sm" href="#/contacts">
            {t('nav.contacts')}
          </a>
        </ErrorBanner>
      </section>
    );

  return (
    <ToastProvider>
      <Layout
        user={session.user}
        section={section === 'admin' || section === 'account' || section === 'reports' ? [section, ...route.path.slice(1, 2)].join('/') : section}
        onSignOut={signOut}
        onLang={changeLang}
      >
        <SystemBanner mode="banner" />
        {screen}
      </Layout>
    </ToastProvider>
  );
}

/** #/admin/users, #/admin/departments, #/admin/roles[/…], #/admin/transfer, #/admin/products, #/admin/pipelines, #/admin/processes, #/admin/work-calendars, #/admin/sla-policies, #/admin/queues, #/admin/canned-responses, #/admin/kb-categories, #/admin/web-forms, #/admin/backups, #/admin/mail, #/admin/desk-mailbox, #/admin/audit: administrators only. */
function AdminScreen({ isAdmin, path, query }: { isAdmin: boolean; path: string[]; query: URLSearchParams }) {
  if (!isAdmin) {
    return (
      <section className="page">
        <ErrorBanner message={t('admin.only')} />
      </section>
    );
  }
  switch (path[1]) {
    case 'users':
      return <UsersScreen />;
    case 'departments':
      return <DepartmentsScreen />;
    case 'roles':
      return <RolesScreen path={path} query={query} />;
    case 'transfer':
      return <TransferScreen query={query} />;
    case 'products':
      return <ProductsScreen />;
    case 'pipelines':
      return <PipelinesScreen />;
    case 'work-calendars':
      return <WorkCalendarsScreen />;
    case 'sla-policies':
      return <SlaPoliciesScreen />;
    case 'queues':
      return <QueuesScreen />;
    case 'canned-responses':
      return <CannedScreen />;
    case 'kb-categories':
      return <KbCategoriesScreen />;
    case 'web-forms':
      return <WebFormsScreen />;
    case 'processes':
      if (path[2] === 'wizard') return <WizardScreen />;
      if (path[2] === 'new') return <EditorScreen key={query.get('draft') ?? 'blank'} id="new" version={null} draft={query.get('draft') === '1'} />;
      if (path[2] && /^\d+$/.test(path[2])) {
        const v = query.get('v');
        return <EditorScreen key={path[2]} id={Number(path[2])} version={v && /^\d+$/.test(v) ? Number(v) : null} />;
      }
      return <ProcessesScreen />;
    case 'backups':
      return <BackupsScreen />;
    case 'mail':
      return <MailScreen />;
    case 'desk-mailbox':
      return <MailboxScreen />;
    case 'audit':
      return <AuditScreen query={query} />;
    default:
      return (
        <section className="page">
          <ErrorBanner message={t('error.notFound')} />
        </section>
      );
  }
}

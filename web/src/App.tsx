import { useCallback, useEffect, useState } from 'react';
import { auth, onUnauthorized, users, type User } from './api';
import { AccountScreen } from './account/AccountScreen';
import { SystemBanner } from './account/SystemBanner';
import { SignIn } from './auth/SignIn';
import { ErrorBanner } from './common/ErrorBanner';
import { Layout } from './common/Layout';
import { ToastProvider } from './common/Toast';
import { CompaniesScreen } from './companies/CompaniesScreen';
import { ContactsScreen } from './contacts/ContactsScreen';
import { CustomFieldsScreen } from './customfields/CustomFieldsScreen';
import { setLang, t, type Lang } from './i18n';
import { navigate, useRoute } from './router';

type Session = { state: 'loading' } | { state: 'out'; notice?: string } | { state: 'in'; user: User };

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
      setSession((s) => (s.state === 'in' ? { state: 'out', notice: t('auth.sessionEnded') } : s));
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
    if (session.state === 'in' && route.path.length === 0) navigate('/contacts');
  }, [session.state, route.path.length]);

  if (session.state === 'loading') {
    return <div className="boot">{t('app.loading')}</div>;
  }
  if (session.state === 'out') {
    return <SignIn notice={session.notice} onSignedIn={(u) => setSession({ state: 'in', user: u })} />;
  }

  const section = route.path[0] ?? 'contacts';
  let screen;
  if (section === 'companies') screen = <CompaniesScreen path={route.path} query={route.query} />;
  else if (section === 'contacts') screen = <ContactsScreen path={route.path} query={route.query} />;
  else if (section === 'account') screen = <AccountScreen isAdmin={session.user.is_admin} />;
  else if (section === 'settings') screen = <CustomFieldsScreen query={route.query} isAdmin={session.user.is_admin} />;
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
      <Layout user={session.user} section={section} onSignOut={signOut} onLang={changeLang}>
        <SystemBanner mode="banner" />
        {screen}
      </Layout>
    </ToastProvider>
  );
}

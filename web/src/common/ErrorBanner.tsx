import type { ReactNode } from 'react';
import { ApiError } from '../api';
import { t } from '../i18n';

/** The message to show for an error that is not about one field. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('error.network');
    if (e.status === 404) return t('error.notFound');
    if (e.status === 412) return t('error.conflict');
    if (e.status === 403) return e.detail || t('error.forbidden');
    return e.detail || e.title || t('error.generic');
  }
  return t('error.generic');
}

interface Props {
  error?: unknown;
  message?: string;
  extra?: string[];
  children?: ReactNode;
  onDismiss?: () => void;
}

/** A general error banner: the problem's `detail`, and optional actions. */
export function ErrorBanner({ error, message, extra, children, onDismiss }: Props) {
  const text = message ?? errorText(error);
  return (
    <div className="banner banner-error" role="alert">
      <div className="banner-body">
        <strong className="banner-text">{text}</strong>
        {extra && extra.length > 0 && (
          <ul className="banner-list">
            {extra.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        )}
      </div>
      {children && <div className="banner-actions">{children}</div>}
      {onDismiss && (
        <button type="button" className="icon-btn" aria-label={t('common.dismiss')} onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

/** A page of its own saying that the address leads nowhere (or to something one may not see). */
export function NotFoundPage({ message }: { message?: string }) {
  return (
    <section className="page">
      <ErrorBanner message={message ?? t('error.notFound')} />
    </section>
  );
}

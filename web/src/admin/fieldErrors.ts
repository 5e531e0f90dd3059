import { ApiError, type FieldError } from '../api';
import { errorText } from '../common/ErrorBanner';
import { t } from '../i18n';

/** Splits a failed save into messages per field (for `known` fields) and a banner for the rest. */
export function splitErrors(err: unknown, known: string[]): { errors: FieldError[]; banner: string } {
  if (err instanceof ApiError && err.errors.length) {
    const other = err.errors
      .filter((x) => !known.some((k) => x.field === k || x.field.startsWith(`${k}.`) || x.field.startsWith(`${k}[`)))
      .map((x) => `${x.field} ${x.message}`);
    const head = err.detail || t('error.invalid');
    return { errors: err.errors, banner: other.length ? `${head} ${other.join('; ')}` : head };
  }
  return { errors: [], banner: errorText(err) };
}

/** The messages for one field. */
export function messagesFor(errors: FieldError[], field: string): string[] {
  return errors.filter((e) => e.field === field).map((e) => e.message);
}

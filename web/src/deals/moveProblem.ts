import { ApiError } from '../api';
import { errorText } from '../common/ErrorBanner';

/** What went wrong with a move, in the server's words: the field messages say how to fix it. */
export function moveProblem(e: unknown): string {
  if (e instanceof ApiError && e.errors.length) return e.errors.map((x) => x.message).join('; ');
  return errorText(e);
}

// The server's 422 problems, each shown where its path points: `definition.filters[0].value`
// under that filter, `name` under the name. A problem no part claims is shown above the form.
import type { FieldError } from '../../api';

export type Problems = FieldError[];

/** Paths as the save answers them ("definition.x") and as the run answers them. */
const norm = (p: string) => p.replace(/^definition\./, '');

/** The messages at exactly this path or under it ("filters[0]" takes "filters[0].value"). */
export function at(problems: Problems, path: string): string[] {
  return problems.filter((e) => {
    const p = norm(e.field);
    return p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`);
  }).map((e) => e.message);
}

/** The messages at exactly this path (a list's own, not its items'). */
export function atExactly(problems: Problems, path: string): string[] {
  return problems.filter((e) => norm(e.field) === path).map((e) => e.message);
}

/** The problems none of these paths claim. */
export function unclaimed(problems: Problems, paths: string[]): Problems {
  return problems.filter((e) => !paths.some((p) => at([e], p).length > 0));
}

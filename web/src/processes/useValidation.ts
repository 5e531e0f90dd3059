// Live validation: the server's own checks (POST /process-templates/validate), asked again a
// moment after the user stops editing; an answer for an older definition is dropped.
import { useEffect, useState } from 'react';
import { processes, type FieldError } from '../api';
import type { Definition } from './types';

const DEBOUNCE_MS = 400;

export function useValidation(def: Definition | null, enabled: boolean): { errors: FieldError[]; checking: boolean; setErrors: (e: FieldError[]) => void } {
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    if (!def || !enabled) return;
    const ctl = new AbortController();
    setChecking(true);
    const timer = window.setTimeout(() => {
      processes
        .validate(def, ctl.signal)
        .then((r) => {
          setErrors(r.errors);
          setChecking(false);
        })
        .catch((e) => {
          if (e instanceof DOMException && e.name === 'AbortError') return;
          setChecking(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [def, enabled]);
  return { errors, checking, setErrors };
}

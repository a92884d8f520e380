import { badRequest } from '../../../engine/shared/http-error';

/** An integer query parameter in [min, max], `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest('invalid_integer', `${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`, name);
  return n;
}

/** Runs `fn` with at most `ms` milliseconds; rejects with `onTimeout()` after that. */
export async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

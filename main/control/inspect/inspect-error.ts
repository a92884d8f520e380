/** An answer the inspect routes send as `{error:{code,message,field}}` with `status`. */
export class InspectError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InspectError';
  }
}

/** 400 with a field: the usual "bad input" answer. */
export function badInput(code: string, message: string, field?: string): InspectError {
  return new InspectError(400, code, message, field);
}

/** An integer query parameter in [min, max], `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badInput('invalid_integer', `${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`, name);
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

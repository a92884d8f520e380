/** The JSON body of every error answer of the engine API and the control server. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

/**
 * An error that becomes an HTTP answer `status` with `{error:{code,message,field?}}`:
 * the one type the engine API, the crawl service (bad source input) and the
 * control server (stack, auth, inspect routes) throw; their error handlers
 * match it with `instanceof`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message, this.field);
  }
}

/** 400 naming the offending field: the usual answer to bad input. */
export function badRequest(code: string, message: string, field?: string): HttpError {
  return new HttpError(400, code, message, field);
}

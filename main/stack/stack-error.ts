/** What went wrong, for callers that react to the kind rather than the words. */
export type StackErrorCode =
  | 'PORT_IN_USE'
  | 'MISSING_PREREQ'
  | 'FETCH_FAILED'
  | 'START_FAILED'
  | 'STOP_FAILED'
  | 'CONFIG'
  | 'ENGINE_UNREACHABLE'
  | 'IMAGE_UNAVAILABLE'
  | 'NAME_CONFLICT'
  | 'NOT_FOUND'
  | 'UNREACHABLE';

/**
 * The one error type of every stack provider (docker, native, external) and of the compose
 * reader: a message for people, a code for programs, the service it concerns and a fix when
 * there is one.
 */
export class StackError extends Error {
  readonly service?: string;
  readonly fix?: string;
  /** IMAGE_UNAVAILABLE: the images the engine could not pull, and the engine's reason in short */
  readonly images?: { refs: string[]; reason: string };

  constructor(
    message: string,
    readonly code: StackErrorCode,
    opts: { service?: string; fix?: string; images?: { refs: string[]; reason: string } } = {},
  ) {
    super(message);
    this.name = 'StackError';
    this.service = opts.service;
    this.fix = opts.fix;
    this.images = opts.images;
  }
}

/** The rejection of a step stopped by its AbortSignal. */
export function abortError(what = 'stack up'): Error {
  const e = new Error(`${what} aborted`);
  e.name = 'AbortError';
  return e;
}

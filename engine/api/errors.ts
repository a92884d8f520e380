/** JSON schema of the error body (engine/shared/http-error.ts ErrorBody), used in every route's documented responses. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The field an AJV validation error is about: the first segment of the
 * instance path, else the missing/additional property it names, else the
 * validation context (`body`, `querystring`, …).
 */
export function fieldOfValidationError(err: AjvLikeError, context: string | undefined): string {
  const path = (err.instancePath ?? '').split('/').filter(Boolean);
  const params = err.params ?? {};
  if (typeof params.missingProperty === 'string') return [...path, params.missingProperty].join('.');
  if (typeof params.additionalProperty === 'string') return [...path, params.additionalProperty].join('.');
  if (path.length > 0) return path.join('.');
  return context ?? 'request';
}

export function messageOfValidationError(err: AjvLikeError, field: string): string {
  const p = err.params ?? {};
  switch (err.keyword) {
    case 'required':
      return `${field} is required`;
    case 'minimum':
    case 'maximum':
      return `${field} ${err.message ?? 'is out of range'}`;
    case 'type':
      return `${field} must be ${String(p.type ?? 'of another type')}`;
    case 'pattern':
      return `${field} has an invalid format`;
    case 'enum':
      return `${field} must be one of ${Array.isArray(p.allowedValues) ? p.allowedValues.join(', ') : 'the allowed values'}`;
    case 'additionalProperties':
      return `${field} is not allowed`;
    default:
      return `${field} ${err.message ?? 'is invalid'}`;
  }
}

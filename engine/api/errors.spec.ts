import { describe, expect, it } from 'vitest';
import { fieldOfValidationError, messageOfValidationError } from './errors';

describe('validation error field', () => {
  it('names the property from the instance path, missing or additional property', () => {
    expect(fieldOfValidationError({ instancePath: '/k', keyword: 'maximum' }, 'querystring')).toBe('k');
    expect(fieldOfValidationError({ instancePath: '', keyword: 'required', params: { missingProperty: 'source' } }, 'body')).toBe('source');
    expect(fieldOfValidationError({ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }, 'body')).toBe('x');
    expect(fieldOfValidationError({ instancePath: '', keyword: 'type' }, 'body')).toBe('body');
    expect(messageOfValidationError({ keyword: 'required' }, 'source')).toBe('source is required');
  });
});

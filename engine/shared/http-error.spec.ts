import { describe, expect, it } from 'vitest';
import { HttpError, badRequest, errorBody } from './http-error';

describe('HttpError', () => {
  it('carries status, code, message and field, and renders the error body', () => {
    const e = new HttpError(404, 'user_not_found', 'no user u', 'user_id');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ status: 404, code: 'user_not_found', message: 'no user u', field: 'user_id', name: 'HttpError' });
    expect(e.body()).toEqual({ error: { code: 'user_not_found', message: 'no user u', field: 'user_id' } });
  });

  it('leaves field out of the body when there is none', () => {
    expect(new HttpError(503, 'unavailable', 'down').body()).toEqual({ error: { code: 'unavailable', message: 'down' } });
    expect(errorBody('x', 'y')).toEqual({ error: { code: 'x', message: 'y' } });
  });

  it('badRequest is a 400 with the field', () => {
    const e = badRequest('invalid_level', 'level must be …', 'level');
    expect(e).toBeInstanceOf(HttpError);
    expect(e.status).toBe(400);
    expect(e.field).toBe('level');
  });
});

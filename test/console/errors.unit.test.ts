import { describeError, describeLoginError, errorLine } from '../../console/src/app/core/errors';

describe('error messages for people', () => {
  it('signs out on UNAUTHENTICATED', () => {
    const e = describeError({ code: 'UNAUTHENTICATED', message: 'jwt expired' });
    expect(e).toMatchObject({ code: 'UNAUTHENTICATED', signOut: true, text: 'Your session has ended. Please sign in again.', detail: null });
  });

  it('adds the server detail where it says something specific', () => {
    const e = describeError({ code: 'FORBIDDEN', message: 'An agent may act only on its own calls' });
    expect(errorLine(e)).toBe('You are not allowed to do that with your role. An agent may act only on its own calls.');
    expect(describeError({ code: 'NOT_FOUND', message: 'No call abc' }).detail).toBe('No call abc.');
  });

  it('tells how long to wait when rate limited', () => {
    expect(describeError({ code: 'TOO_MANY_REQUESTS', message: 'slow down', retryAfterSeconds: 12.2 }).text).toBe('Too many attempts. Try again in 13 s.');
    expect(describeError({ code: 'RATE_LIMITED', message: 'x' })).toMatchObject({ retryable: true });
  });

  it('marks transient failures as retryable and hides masked internal messages', () => {
    expect(describeError({ code: 'SERVICE_UNAVAILABLE', message: 'Telnyx did not answer' })).toMatchObject({ retryable: true, detail: 'Telnyx did not answer.' });
    expect(describeError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' })).toMatchObject({ retryable: true, detail: null });
    expect(describeError({ code: 'NETWORK', message: 'Failed to fetch' }).text).toMatch(/Cannot reach the server/);
  });

  it('passes unknown codes through as a sentence', () => {
    expect(describeError({ code: 'SOMETHING_NEW', message: 'the queue is paused' })).toMatchObject({ code: 'UNKNOWN', text: 'the queue is paused.' });
    expect(describeError({ code: null, message: '' }).text).toBe('Something went wrong.');
  });

  it('words login failures for the login form', () => {
    expect(describeLoginError({ code: 'UNAUTHENTICATED', message: 'Invalid credentials' })).toBe('Wrong username or password.');
    expect(describeLoginError({ code: 'TOO_MANY_REQUESTS', message: '', retryAfterSeconds: 30 })).toBe('Too many attempts. Try again in 30 s.');
  });
});

/**
 * Every error callstream raises on purpose carries a stable `code`; adapters map driver
 * errors (WrongExpectedVersion, gRPC UNAVAILABLE, Mongo network errors, Telnyx APIError)
 * onto these at their boundary so the rest of the code never sees a driver error.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'ILLEGAL_STATE'
  | 'CONCURRENCY'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'LEASE_LOST'
  | 'PROJECTION_FAILED'
  | 'TELNYX'
  | 'INTERNAL';

export class CallstreamError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export class ValidationError extends CallstreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
  }
}

export class NotFoundError extends CallstreamError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class IllegalStateError extends CallstreamError {
  constructor(message: string) {
    super('ILLEGAL_STATE', message);
  }
}

/** Optimistic concurrency failure on a stream. `actual` is 'no_stream' when the stream does not exist. */
export class WrongExpectedVersionError extends CallstreamError {
  constructor(
    readonly streamId: string,
    readonly expected: string | bigint,
    readonly actual: bigint | 'no_stream',
  ) {
    super('CONCURRENCY', `Wrong expected version on stream '${streamId}': expected ${String(expected)}, actual ${String(actual)}`);
  }
}

/** A store (event store, read-model store, Telnyx) could not be reached or did not answer in time: retry later. */
export class UnavailableError extends CallstreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

/** A single-writer lease was lost to another owner; the holder must stop writing at once. */
export class LeaseLostError extends CallstreamError {
  constructor(message: string) {
    super('LEASE_LOST', message);
  }
}

/** No valid credentials: missing, expired or revoked token, or a wrong username or password. */
export class UnauthenticatedError extends CallstreamError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message);
  }
}

/** Authenticated, but the user's roles or identity do not allow the action. */
export class ForbiddenError extends CallstreamError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', message);
  }
}

/** Too many attempts (e.g. failed logins); `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends CallstreamError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}

/** Where a Telnyx API error came from and what Telnyx said (`errors[0]` of its body). */
export interface TelnyxErrorDetails {
  operation: string;
  callControlId?: string;
  status?: number;
  telnyxCode?: string;
  title?: string;
  detail?: string;
}

/** Telnyx refused a command (a 4xx other than "leg gone" and "not found"). */
export class TelnyxCommandError extends CallstreamError {
  constructor(
    message: string,
    readonly details: TelnyxErrorDetails,
    options?: { cause?: unknown },
  ) {
    super('TELNYX', message, options);
  }
}

/**
 * The leg has already ended (Telnyx 422, code 90018): not retryable; the leg's call.hangup
 * webhook has arrived or is on its way.
 */
export class LegGoneError extends TelnyxCommandError {}

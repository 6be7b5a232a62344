import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { CallstreamError, RateLimitedError, WrongExpectedVersionError, type ErrorCode } from '../core/errors';
import type { Logger } from '../core/logger';

/** The `extensions.code` a client sees for each of our error codes. */
export const GRAPHQL_ERROR_CODES: Record<ErrorCode, string> = {
  VALIDATION: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  ILLEGAL_STATE: 'CONFLICT',
  CONCURRENCY: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TELNYX: 'SERVICE_UNAVAILABLE',
  LEASE_LOST: 'SERVICE_UNAVAILABLE',
  PROJECTION_FAILED: 'INTERNAL_SERVER_ERROR',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** type-graphql's own auth errors, in case a field uses bare @Authorized with its default checker behaviour. */
const RENAMED_CODES: Record<string, string> = { UNAUTHORIZED: 'FORBIDDEN' };

/** Codes whose message is meant for the client; anything else unexpected is masked outside development. */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR']);

const callstreamExtensions = (error: CallstreamError): Record<string, unknown> => {
  const extensions: Record<string, unknown> = { code: GRAPHQL_ERROR_CODES[error.code] };
  if (error instanceof RateLimitedError) extensions.retryAfterSeconds = error.retryAfterSeconds;
  if (error instanceof WrongExpectedVersionError) extensions.streamId = error.streamId;
  return extensions;
};

export interface FormatErrorOptions {
  development: boolean;
  logger: Logger;
}

/**
 * Apollo's formatError (also applied to graphql-ws results): our errors become their GraphQL code,
 * unexpected errors are logged and masked, and stack traces appear only in development.
 */
export const createFormatError =
  ({ development, logger }: FormatErrorOptions) =>
  (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    const stack = development && original instanceof Error && original.stack ? { stacktrace: original.stack.split('\n') } : {};

    if (original instanceof CallstreamError) {
      const code = GRAPHQL_ERROR_CODES[original.code];
      if (INTERNAL_CODES.has(code)) logger.error({ err: original, path: formatted.path }, 'request failed');
      const message = INTERNAL_CODES.has(code) && !development ? 'Internal server error' : original.message;
      return { ...base, message, extensions: { ...callstreamExtensions(original), ...stack } };
    }
    if (original instanceof GraphQLError || !(original instanceof Error)) {
      // A GraphQLError of graphql-js's own making (e.g. a variable that does not coerce) is the client's.
      const fallback = original instanceof GraphQLError && !original.originalError ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
      const rawCode = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : fallback;
      const code = RENAMED_CODES[rawCode] ?? rawCode;
      const extensions: Record<string, unknown> = { ...formatted.extensions, code };
      if (!development) delete extensions.stacktrace;
      if (code === 'INTERNAL_SERVER_ERROR' && !development) return { ...base, message: 'Internal server error', extensions: { code } };
      return { ...base, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'request failed');
    return {
      ...base,
      message: development ? original.message : 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...stack },
    };
  };

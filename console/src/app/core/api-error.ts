import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { HttpErrorResponse } from '@angular/common/http';
import { describeError, type ApiErrorInfo, type ConsoleError } from './errors';

/** An operation that failed, with the API's code and the text to show. */
export class ApiError extends Error {
  constructor(
    readonly info: ApiErrorInfo,
    readonly human: ConsoleError,
  ) {
    super(human.text);
    this.name = 'ApiError';
  }
  get code(): string | null {
    return this.info.code;
  }
}

const fromBody = (bodyText: string): ApiErrorInfo | null => {
  try {
    const body = JSON.parse(bodyText) as { errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> };
    const first = body.errors?.[0];
    if (!first) return null;
    const ext = first.extensions ?? {};
    return {
      code: typeof ext['code'] === 'string' ? ext['code'] : null,
      message: first.message ?? '',
      retryAfterSeconds: typeof ext['retryAfterSeconds'] === 'number' ? ext['retryAfterSeconds'] : null,
    };
  } catch {
    return null;
  }
};

/** Graphql-ws close codes the server uses: 4401 bad or expired token, 4403 the session has ended. */
const SOCKET_CLOSED = /Socket closed with event (\d{4})/;

/** The API code and message of whatever an Apollo operation threw. */
export const apiErrorInfo = (error: unknown): ApiErrorInfo => {
  if (error instanceof ApiError) return error.info;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const ext = first?.extensions ?? {};
    return {
      code: typeof ext['code'] === 'string' ? ext['code'] : null,
      message: first?.message ?? error.message,
      retryAfterSeconds: typeof ext['retryAfterSeconds'] === 'number' ? ext['retryAfterSeconds'] : null,
    };
  }
  if (ServerError.is(error)) {
    const parsed = fromBody(error.bodyText);
    if (parsed) return parsed;
    if (error.statusCode === 429) return { code: 'TOO_MANY_REQUESTS', message: error.message };
    if (error.statusCode >= 500) return { code: 'SERVICE_UNAVAILABLE', message: `The server answered ${error.statusCode}` };
    return { code: null, message: error.message };
  }
  if (error instanceof HttpErrorResponse && error.status === 0) return { code: 'NETWORK', message: error.message };
  if (error instanceof Error) {
    const closed = SOCKET_CLOSED.exec(error.message);
    if (closed) {
      const code = Number(closed[1]);
      if (code === 4401 || code === 4403) return { code: 'UNAUTHENTICATED', message: error.message };
      return { code: 'NETWORK', message: error.message };
    }
    if (/Failed to fetch|NetworkError|Http failure response for .*: 0/i.test(error.message)) return { code: 'NETWORK', message: error.message };
    return { code: null, message: error.message };
  }
  return { code: null, message: String(error) };
};

export const toApiError = (error: unknown): ApiError => {
  if (error instanceof ApiError) return error;
  const info = apiErrorInfo(error);
  return new ApiError(info, describeError(info));
};

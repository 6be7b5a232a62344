/**
 * What the console tells a person when an operation fails. The API puts a machine code in
 * `extensions.code` (docs/graphql.md); people get a sentence about what happened and what to do,
 * plus the server's own message when it says something specific.
 */

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'GRAPHQL_PARSE_FAILED'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK';

export interface ApiErrorInfo {
  code: string | null;
  message: string;
  retryAfterSeconds?: number | null;
}

export interface ConsoleError {
  code: ErrorCode | 'UNKNOWN';
  /** One line for a toast or a form. */
  text: string;
  /** The server's own words, when they add something. */
  detail: string | null;
  /** The session is gone: the console signs out and shows the login page. */
  signOut: boolean;
  /** Trying again later may work. */
  retryable: boolean;
}

const KNOWN: Record<ErrorCode, { text: string; signOut?: boolean; retryable?: boolean; showDetail?: boolean }> = {
  UNAUTHENTICATED: { text: 'Your session has ended. Please sign in again.', signOut: true },
  FORBIDDEN: { text: 'You are not allowed to do that with your role.', showDetail: true },
  BAD_USER_INPUT: { text: 'Please check what you entered.', showDetail: true },
  NOT_FOUND: { text: 'That no longer exists — it may have just ended.', showDetail: true },
  CONFLICT: { text: 'Someone or something changed it first. The view has been refreshed; please try again.', showDetail: true, retryable: true },
  TOO_MANY_REQUESTS: { text: 'Too many attempts. Please wait a moment and try again.', retryable: true },
  RATE_LIMITED: { text: 'Too many requests from this browser. Please wait a moment and try again.', retryable: true },
  SERVICE_UNAVAILABLE: { text: 'The telephony or storage service is not answering. Try again in a few seconds.', retryable: true, showDetail: true },
  GRAPHQL_VALIDATION_FAILED: { text: 'This console does not match the server version. Reload the page.', showDetail: true },
  GRAPHQL_PARSE_FAILED: { text: 'This console sent a request the server could not read. Reload the page.' },
  INTERNAL_SERVER_ERROR: { text: 'The server hit an unexpected error. Try again; if it persists, tell your administrator.', retryable: true },
  NETWORK: { text: 'Cannot reach the server. Check your connection; the console keeps retrying.', retryable: true },
};

const isKnown = (code: string): code is ErrorCode => Object.prototype.hasOwnProperty.call(KNOWN, code);

const sentence = (s: string): string => {
  const t = s.trim();
  return t.length === 0 ? t : /[.!?]$/.test(t) ? t : `${t}.`;
};

/** Human text for an API error. */
export const describeError = (error: ApiErrorInfo): ConsoleError => {
  const code = error.code && isKnown(error.code) ? error.code : null;
  if (!code) {
    const detail = error.message.trim();
    return { code: 'UNKNOWN', text: detail ? sentence(detail) : 'Something went wrong.', detail: null, signOut: false, retryable: false };
  }
  const known = KNOWN[code];
  let text = known.text;
  if ((code === 'TOO_MANY_REQUESTS' || code === 'RATE_LIMITED') && error.retryAfterSeconds && error.retryAfterSeconds > 0) {
    text = `Too many attempts. Try again in ${Math.ceil(error.retryAfterSeconds)} s.`;
  }
  const message = error.message.trim();
  const detail = known.showDetail && message && message !== 'Internal server error' ? sentence(message) : null;
  return { code, text, detail, signOut: known.signOut ?? false, retryable: known.retryable ?? false };
};

/** The login form's own wording: a wrong password is not a "session ended". */
export const describeLoginError = (error: ApiErrorInfo): string => {
  if (error.code === 'UNAUTHENTICATED') return 'Wrong username or password.';
  if (error.code === 'BAD_USER_INPUT') return error.message ? sentence(error.message) : 'Please enter a username and a password.';
  if (error.code === 'FORBIDDEN') return error.message ? sentence(error.message) : 'This account may not sign in.';
  return describeError(error).text;
};

/** One line combining the text and the server's detail. */
export const errorLine = (e: ConsoleError): string => (e.detail ? `${e.text} ${e.detail}` : e.text);

/**
 * Errors the simulated Telnyx API answers with, in Telnyx's body shape
 * `{ errors: [{ code, title, detail, source? }] }`.
 */
export interface TelnyxErrorObject {
  code: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
}

export class TelnyxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source?: TelnyxErrorObject['source'],
  ) {
    super(`${status} ${code} ${title}: ${detail}`);
    this.name = 'TelnyxApiError';
  }

  toBody(): { errors: TelnyxErrorObject[] } {
    const error: TelnyxErrorObject = { code: this.code, title: this.title, detail: this.detail };
    if (this.source) error.source = this.source;
    return { errors: [error] };
  }
}

export const apiErrors = {
  unauthenticated: () =>
    new TelnyxApiError(401, '10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.'),
  legGone: () => new TelnyxApiError(422, '90018', 'Call has already ended', 'This call is no longer active and can\'t receive commands.'),
  invalidCallControlId: () => new TelnyxApiError(404, '90015', 'Invalid Call Control ID', 'The call_control_id provided was not valid.'),
  missingParameter: (name: string) =>
    new TelnyxApiError(422, '10004', 'Missing required parameter', `The '${name}' parameter is required.`, { pointer: `/${name}` }),
  invalidParameter: (name: string, why: string) =>
    new TelnyxApiError(422, '10015', 'Bad Request', `The '${name}' parameter is invalid: ${why}`, { pointer: `/${name}` }),
  invalidState: (detail: string) => new TelnyxApiError(422, '10015', 'Bad Request', detail),
  notFound: (what: string) => new TelnyxApiError(404, '10005', 'Resource not found', `${what} could not be found.`),
  malformedJson: () => new TelnyxApiError(400, '10015', 'Bad Request', 'The request body is not valid JSON.'),
  injected: (status: number) => new TelnyxApiError(status, '10007', 'Unexpected error', 'An unexpected error occured.'),
};

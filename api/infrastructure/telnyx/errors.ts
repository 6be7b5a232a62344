import { APIConnectionError, APIError } from 'telnyx';
import { LegGoneError, NotFoundError, TelnyxCommandError, UnavailableError, type TelnyxErrorDetails } from '../../core/errors';

/** Telnyx answered 404: an unknown call_control_id (90015), queue, credential or URL. */
export class TelnyxNotFoundError extends NotFoundError {
  constructor(
    message: string,
    readonly details: TelnyxErrorDetails,
  ) {
    super(message);
  }
}

interface TelnyxErrorBody {
  errors?: { code?: unknown; title?: unknown; detail?: unknown }[];
}

function firstError(body: unknown): { code?: string; title?: string; detail?: string } {
  const errors = typeof body === 'object' && body !== null ? (body as TelnyxErrorBody).errors : undefined;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  if (!first) return {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  return { code: str(first.code), title: str(first.title), detail: str(first.detail) };
}

/** Maps what the SDK throws onto callstream's errors (after the SDK's own retries). */
export function mapTelnyxError(err: unknown, context: { operation: string; callControlId?: string }): Error {
  const where = context.callControlId ? `${context.operation} on ${context.callControlId}` : context.operation;
  if (err instanceof APIConnectionError) {
    return new UnavailableError(`Telnyx did not answer ${where}: ${err.message}`, { cause: err });
  }
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const first = firstError(err.error);
    const details: TelnyxErrorDetails = { ...context, status, telnyxCode: first.code, title: first.title, detail: first.detail };
    const text = `Telnyx refused ${where}: ${status ?? '?'} ${first.code ?? ''} ${first.title ?? ''}${first.detail ? ` (${first.detail})` : ''}`.replace(/\s+/g, ' ').trim();
    if (status === 422 && first.code === '90018') return new LegGoneError(text, details, { cause: err });
    if (status === 404) return new TelnyxNotFoundError(text, details);
    if (status === undefined || status >= 500 || status === 408 || status === 429) return new UnavailableError(text, { cause: err });
    return new TelnyxCommandError(text, details, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

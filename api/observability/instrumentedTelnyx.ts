import { LegGoneError, NotFoundError, TelnyxCommandError, UnavailableError } from '../core/errors';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { CallstreamMetrics, TelnyxErrorKind } from './metrics';

/** Method names whose Telnyx action name is not their snake_case form. */
const ACTION_NAMES: Record<string, string> = { updateClientState: 'client_state_update' };

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const telnyxErrorKind = (error: unknown): TelnyxErrorKind => {
  if (error instanceof LegGoneError) return 'leg_gone';
  if (error instanceof NotFoundError) return 'not_found';
  if (error instanceof UnavailableError) return 'unavailable';
  if (error instanceof TelnyxCommandError) return 'refused';
  return 'internal';
};

const actionOf = (method: string, args: readonly unknown[]): string => {
  if (method === 'command') {
    const command = args[1];
    if (typeof command === 'object' && command !== null && typeof (command as { action?: unknown }).action === 'string') return (command as { action: string }).action;
  }
  return ACTION_NAMES[method] ?? snakeCase(method);
};

/**
 * The Telnyx port, counting calls (callstream_telnyx_requests_total) and failures by action and kind
 * (callstream_telnyx_command_errors_total). A Proxy rather than a class, so that every method of the
 * port, including ones added later, is counted without a second list to keep in step.
 */
export const instrumentTelnyx = (inner: TelnyxPort, metrics: CallstreamMetrics): TelnyxPort =>
  new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const action = actionOf(property, args);
        metrics.countTelnyxRequest(action);
        const failed = (error: unknown): never => {
          metrics.countTelnyxError(action, telnyxErrorKind(error));
          throw error;
        };
        let result: unknown;
        try {
          result = method.apply(target, args);
        } catch (error) {
          return failed(error);
        }
        return result instanceof Promise ? result.catch(failed) : result;
      };
    },
  });

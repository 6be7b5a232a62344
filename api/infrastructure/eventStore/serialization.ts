import { ValidationError } from '../../core/errors';
import type { EventData } from './eventStore';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Event data never should carry a bigint, but a stray one must not make an append throw a TypeError
// deep inside a driver: it is written as its decimal string.
const bigintReplacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

export const stringifyJson = (value: unknown): string => {
  try {
    return JSON.stringify(value ?? null);
  } catch (err) {
    if (err instanceof TypeError && /BigInt/i.test(err.message)) return JSON.stringify(value, bigintReplacer);
    throw new ValidationError(`Event payload is not serializable to JSON: ${(err as Error).message}`, { cause: err });
  }
};

/** Checks what both adapters require of an append: at least one event, UUID ids, no id twice. */
export const validateAppend = (streamId: string, events: readonly EventData[]): void => {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new ValidationError('A stream id must be a non-empty string');
  if (streamId.startsWith('$')) throw new ValidationError(`Stream '${streamId}': names starting with '$' are reserved for the store`);
  if (!Array.isArray(events) || events.length === 0) throw new ValidationError(`Append to '${streamId}' needs at least one event`);
  const seen = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new ValidationError(`Event id '${String(event.id)}' on '${streamId}' is not a UUID`);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new ValidationError(`Event ${event.id} on '${streamId}' has no type`);
    if (event.type.startsWith('$')) throw new ValidationError(`Event type '${event.type}': types starting with '$' are reserved for the store`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new ValidationError(`Event id ${event.id} appears twice in one append to '${streamId}'`);
    seen.add(id);
  }
};

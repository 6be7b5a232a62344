import type { AsOf } from '../../projections/timeTravel';
import { ValidationError } from '../core/errors';

/** The past moment of an `…AsOf` query: exactly one of a time and an event-store position. */
export const asOfArgs = (at: Date | null | undefined, position: string | null | undefined): AsOf => {
  const hasAt = at !== undefined && at !== null;
  const hasPosition = position !== undefined && position !== null && position !== '';
  if (hasAt === hasPosition) throw new ValidationError('Give exactly one of at and position');
  if (hasAt) return { time: at };
  if (!/^[0-9]{1,20}$/.test(position ?? '')) throw new ValidationError('position is a decimal event-store position');
  return { position: BigInt(position ?? '0') };
};

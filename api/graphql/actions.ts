import { Field, InterfaceType } from 'type-graphql';
import type { CommandOutcomeSummary } from '../reactor/commands';
import type { GraphQLContext } from './context';
import { waitForProjections } from './readYourWrites';

/** How long a mutation waits for the read models to show what it appended before answering with what they show. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

@InterfaceType({ description: 'What every action reports besides its view.' })
export abstract class ActionOutcome {
  @Field(() => String, { nullable: true, description: 'Event-store position of the last appended event (a decimal string); null when the action changed nothing.' })
  position!: string | null;

  @Field(() => [String], { description: 'Types of the events appended.' })
  events!: string[];

  @Field(() => Boolean, { description: 'The views returned include this action (false when the read models were still behind after the wait).' })
  caughtUp!: boolean;
}

export interface Appended {
  position: string | null;
  events: string[];
  caughtUp: boolean;
}

/**
 * Read-your-writes: waits until the named projections have applied what the action appended (up to the
 * timeout), so the view read next includes it.
 */
export const afterAppend = async (ctx: GraphQLContext, outcome: CommandOutcomeSummary, projections: readonly string[]): Promise<Appended> => {
  if (outcome.position === null) return { position: null, events: outcome.events, caughtUp: true };
  const caughtUp = await waitForProjections(ctx.services.readModels, outcome.position, projections, { timeoutMs: READ_YOUR_WRITES_TIMEOUT_MS });
  if (!caughtUp) ctx.logger.warn({ position: outcome.position.toString(), projections }, 'read models still behind after the read-your-writes wait');
  return { position: outcome.position.toString(), events: outcome.events, caughtUp };
};

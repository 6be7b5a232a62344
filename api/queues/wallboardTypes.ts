import { Field, Int, ObjectType } from 'type-graphql';
import { agentViews } from '../../projections/agent-idle-time/queries';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { queueViews, withWaitsAt } from '../../projections/queue/queries';
import { Agent, AgentStateCount, AgentStateEnum } from '../agents/graphql/agentTypes';
import { Queue } from './queueTypes';

@ObjectType({ description: 'Totals over every queue and agent.', simpleResolvers: true })
export class WallboardTotals {
  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  ringing!: number;

  @Field(() => Int)
  callbacks!: number;

  @Field(() => Int)
  longestWaitSeconds!: number;

  @Field(() => Int)
  agentsLoggedIn!: number;

  @Field(() => Int, { description: 'Available and idle.' })
  agentsAvailable!: number;

  @Field(() => Int, { description: 'Reserved or ringing.' })
  agentsRinging!: number;

  @Field(() => Int)
  agentsOnCall!: number;

  @Field(() => Int)
  agentsWrapUp!: number;

  @Field(() => Int)
  agentsBreak!: number;
}

@ObjectType({ description: "All queues' counters and the agent grid in one payload.", simpleResolvers: true })
export class Wallboard {
  @Field(() => [Queue])
  queues!: Queue[];

  @Field(() => [Agent])
  agents!: Agent[];

  @Field(() => [AgentStateCount])
  agentStates!: AgentStateCount[];

  @Field(() => WallboardTotals)
  totals!: WallboardTotals;

  @Field(() => Date, { description: 'When the wallboard was read (waits are counted up to it).' })
  asOf!: Date;
}

/** The wallboard from the queue and agent read models, waits counted up to `now`. */
export const readWallboard = async (readModels: ReadModelStore, now: Date): Promise<Wallboard> => {
  const at = now.toISOString();
  const [queueDocs, agentDocs] = await Promise.all([queueViews(readModels), agentViews(readModels)]);
  const queues = queueDocs.map((doc) => Queue.from(withWaitsAt(doc, at)));
  const agents = agentDocs.map((doc) => Agent.from(doc, now));
  const byState = new Map<string, number>(Object.values(AgentStateEnum).map((s) => [s, 0]));
  for (const agent of agents) byState.set(agent.state, (byState.get(agent.state) ?? 0) + 1);
  const count = (...states: string[]): number => states.reduce((sum, s) => sum + (byState.get(s) ?? 0), 0);
  return Object.assign(new Wallboard(), {
    queues,
    agents,
    agentStates: [...byState].map(([state, n]) => ({ state, count: n })),
    totals: {
      waiting: queues.reduce((sum, q) => sum + q.waiting, 0),
      ringing: queues.reduce((sum, q) => sum + q.ringing, 0),
      callbacks: queues.reduce((sum, q) => sum + q.callbacks, 0),
      longestWaitSeconds: queues.reduce((max, q) => Math.max(max, q.longestWaitSeconds), 0),
      agentsLoggedIn: agents.length - count('Offline'),
      agentsAvailable: count('Available'),
      agentsRinging: count('Reserved', 'Ringing'),
      agentsOnCall: count('OnCall'),
      agentsWrapUp: count('WrapUp'),
      agentsBreak: count('Break'),
    },
    asOf: now,
  });
};

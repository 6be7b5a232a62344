import type { EventStore } from '../api/infrastructure/eventStore/eventStore';
import { ValidationError } from '../api/core/errors';
import { AGENT_COLLECTIONS, agentIdleTimeProjection } from './agent-idle-time/agentIdleTimeProjection';
import type { AgentView } from './agent-idle-time/agentView';
import { withWaitsAt } from './queue/queries';
import { QUEUE_COLLECTIONS, queueProjection } from './queue/queueProjection';
import type { QueueViewDoc } from './queue/queueView';
import { replayManyInMemory, type ReplayLimit } from './runner/inMemoryReplay';

/** A past moment: a global position (inclusive), or an instant of domain time (ISO string or Date). */
export type AsOf = { position: bigint } | { time: string | Date };

export interface CenterAsOf {
  queues: QueueViewDoc[];
  agents: AgentView[];
}

const limitOf = (asOf: AsOf): ReplayLimit => {
  if ('position' in asOf) {
    if (asOf.position < 0n) throw new ValidationError('A position is 0 or more');
    return { untilPosition: asOf.position };
  }
  const time = asOf.time instanceof Date ? asOf.time : new Date(asOf.time);
  if (Number.isNaN(time.getTime())) throw new ValidationError(`Not a time: ${String(asOf.time)}`);
  return { untilTime: time };
};

/**
 * The queue and agent views as they were at a past time or position, replayed in memory from the
 * event store (the live read models are not touched). Asked by time, waits are counted up to that time.
 */
export const centerAsOf = async (eventStore: EventStore, asOf: AsOf): Promise<CenterAsOf> => {
  const limit = limitOf(asOf);
  const queue = queueProjection();
  const agent = agentIdleTimeProjection();
  const replayed = await replayManyInMemory(eventStore, [queue, agent], limit);
  const at = limit.untilTime?.toISOString();
  const queues = [...(replayed.get(queue.name)?.get(QUEUE_COLLECTIONS.queues)?.values() ?? [])]
    .map((doc) => doc as QueueViewDoc)
    .map((view) => (at !== undefined ? withWaitsAt(view, at) : view))
    .sort((a, b) => (a.queueId < b.queueId ? -1 : 1));
  const agents = [...(replayed.get(agent.name)?.get(AGENT_COLLECTIONS.agents)?.values() ?? [])].map((doc) => doc as AgentView).sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  return { queues, agents };
};

export const queueViewsAsOf = async (eventStore: EventStore, asOf: AsOf): Promise<QueueViewDoc[]> => (await centerAsOf(eventStore, asOf)).queues;

export const agentViewsAsOf = async (eventStore: EventStore, asOf: AsOf): Promise<AgentView[]> => (await centerAsOf(eventStore, asOf)).agents;

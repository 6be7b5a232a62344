import type { ReadModelStore } from '../infrastructure/readModels/readModelStore';
import { findAllDocuments, getDocument } from '../shared/queries';
import { AGENT_COLLECTIONS, AGENT_IDLE_TIME_PROJECTION } from './agentIdleTimeProjection';
import type { AgentStateLabel, AgentView } from './agentView';

export type { AgentView, AgentStateLabel, AgentDayTotals, AgentCurrentCall } from './agentView';

/** Every agent (or those in one state), by agent id. */
export const agentViews = (store: ReadModelStore, filter: { state?: AgentStateLabel } = {}): Promise<AgentView[]> =>
  findAllDocuments<AgentView>(store, AGENT_IDLE_TIME_PROJECTION, AGENT_COLLECTIONS.agents, filter.state ? { state: filter.state } : {}, [{ field: '_id', direction: 'asc' }]);

export const agentView = (store: ReadModelStore, agentId: string): Promise<AgentView | null> =>
  getDocument<AgentView>(store, AGENT_IDLE_TIME_PROJECTION, AGENT_COLLECTIONS.agents, agentId);

/** Seconds the agent has been idle at `at` (null unless available and idle). */
export const idleSecondsAt = (agent: AgentView, at: string): number | null => {
  if (agent.state !== 'Available' || agent.idleSince === null) return null;
  return Math.max(0, Math.round((Date.parse(at) - Date.parse(agent.idleSince)) / 1000));
};

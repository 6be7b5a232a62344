import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { Agent } from '../agents/graphql/agentTypes';
import type { Call } from '../calls/graphql/callTypes';
import type { Queue } from '../queues/queueTypes';
import type { Wallboard } from '../queues/wallboardTypes';

/** A change to the caller's own sessions, pushed to `sessionEvents`. */
export interface SessionEventPayload {
  type: 'UserLoggedIn' | 'UserLoggedOut' | 'SessionsRevoked' | 'UserDeactivated' | 'UserRolesChanged' | 'UserPasswordChanged';
  userId: string;
  sessionId?: string;
  occurredAt: string;
  position: bigint;
}

/**
 * A read-model document that was just written, as the change feed delivered it. `view` is the GraphQL
 * object built from it once per change (shared by every subscriber, so a push costs one mapping).
 */
export interface ChangedView<View> {
  id: string;
  position: bigint;
  view: View;
}

/** Something on an agent's desk changed (its agent document, or a call it is on or offered). */
export interface DeskChange {
  agentId: string;
  position: bigint;
  cause: 'agent' | 'call';
}

/** The wallboard's queues or agents changed: read once per burst of changes and shared by every subscriber. */
export interface WallboardChange {
  position: bigint;
  wallboard: Wallboard;
}

/**
 * Every subscription topic and what it carries: `[payload]` for a broadcast topic, `[id, payload]`
 * for a topic keyed by an entity (subscribe with `topicId`). Add a topic here, publish it from the
 * read-model change feed or an event-store subscription (never only from a mutation), and subscribe
 * to it with `@Subscription({ topics: TOPICS.X, topicId? })`.
 */
export type CallstreamTopics = {
  /** Keyed by userId. */
  SESSION_EVENTS: [userId: string, payload: SessionEventPayload];
  /** Every queue view written (api/graphql/liveViews.ts). */
  QUEUE_CHANGED: [payload: ChangedView<Queue>];
  /** Every agent view written. */
  AGENT_CHANGED: [payload: ChangedView<Agent>];
  /** Keyed by callId: the call's document was written. */
  CALL_CHANGED: [callId: string, payload: ChangedView<Call>];
  /** Keyed by agentId. */
  DESK_CHANGED: [agentId: string, payload: DeskChange];
  WALLBOARD_CHANGED: [payload: WallboardChange];
};

export const TOPICS = {
  SESSION_EVENTS: 'SESSION_EVENTS',
  QUEUE_CHANGED: 'QUEUE_CHANGED',
  AGENT_CHANGED: 'AGENT_CHANGED',
  CALL_CHANGED: 'CALL_CHANGED',
  DESK_CHANGED: 'DESK_CHANGED',
  WALLBOARD_CHANGED: 'WALLBOARD_CHANGED',
} as const satisfies { [K in keyof CallstreamTopics]: K };

export type Topic = keyof CallstreamTopics;

export type CallstreamPubSub = PubSub<CallstreamTopics>;

/** In-process; each API node feeds its own from the shared stores, so no broker is needed. */
export const createCallstreamPubSub = (): CallstreamPubSub => {
  const eventTarget = new EventTarget();
  // One listener per subscriber on a broadcast topic: hundreds are expected.
  setMaxListeners(0, eventTarget);
  return createPubSub<CallstreamTopics>({ eventTarget });
};

import { createPubSub, type PubSub } from '@graphql-yoga/subscription';

/** A change to the caller's own sessions, pushed to `sessionEvents`. */
export interface SessionEventPayload {
  type: 'UserLoggedIn' | 'UserLoggedOut' | 'SessionsRevoked' | 'UserDeactivated' | 'UserRolesChanged' | 'UserPasswordChanged';
  userId: string;
  sessionId?: string;
  occurredAt: string;
  position: bigint;
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
};

export const TOPICS = {
  SESSION_EVENTS: 'SESSION_EVENTS',
} as const satisfies { [K in keyof CallstreamTopics]: K };

export type CallstreamPubSub = PubSub<CallstreamTopics>;

/** In-process; each API node feeds its own from the shared stores, so no broker is needed. */
export const createCallstreamPubSub = (): CallstreamPubSub => createPubSub<CallstreamTopics>();

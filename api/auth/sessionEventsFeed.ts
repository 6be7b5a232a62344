import type { CallstreamPubSub, SessionEventPayload } from '../graphql/pubSub';
import { TOPICS } from '../graphql/pubSub';
import type { UserDirectory } from '../users/userDirectory';

const PUSHED = new Set<SessionEventPayload['type']>(['UserLoggedIn', 'UserLoggedOut', 'SessionsRevoked', 'UserDeactivated', 'UserRolesChanged', 'UserPasswordChanged']);

/** Publishes session changes from the event store (via the user directory's subscription), so every API node pushes them, whichever node appended them. */
export const feedSessionEvents = (directory: UserDirectory, pubSub: CallstreamPubSub): (() => void) =>
  directory.onEvent((event, recorded) => {
    const type = event.type as SessionEventPayload['type'];
    if (!PUSHED.has(type)) return;
    const data = event.data as { userId: string; sessionId?: string; occurredAt: string };
    pubSub.publish(TOPICS.SESSION_EVENTS, data.userId, {
      type,
      userId: data.userId,
      ...(data.sessionId ? { sessionId: data.sessionId } : {}),
      occurredAt: data.occurredAt,
      position: recorded.position,
    });
  });

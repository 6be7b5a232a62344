import { assertNever, type Command, type Decider } from '../core/decider';
import { UnauthenticatedError } from '../core/errors';

/**
 * Refresh-token rotation of one session, on `session-<sessionId>`. The first refresh token's id is
 * in the user's UserLoggedIn event; each refresh retires the presented id and names the next one.
 * Presenting a retired id means the token was copied: the caller ends the session.
 */
export type SessionRefreshed = {
  type: 'SessionRefreshed';
  data: { sessionId: string; userId: string; previousRefreshTokenId: string; refreshTokenId: string; occurredAt: string };
};
export type SessionEvent = SessionRefreshed;

export interface SessionState {
  current?: string;
  retired: string[];
}

export type RotateRefreshToken = Command<
  'RotateRefreshToken',
  { sessionId: string; userId: string; initialRefreshTokenId: string; presentedRefreshTokenId: string; nextRefreshTokenId: string }
>;
export type SessionCommand = RotateRefreshToken;

export class RefreshTokenReusedError extends UnauthenticatedError {
  constructor() {
    super('This refresh token was already used; the session has been ended');
  }
}

export const initialSessionState = (): SessionState => ({ retired: [] });

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event.type) {
    case 'SessionRefreshed':
      return { current: event.data.refreshTokenId, retired: [...state.retired, event.data.previousRefreshTokenId] };
    default:
      return assertNever(event.type, 'session event');
  }
};

export const decideSession = (command: SessionCommand, state: SessionState): SessionEvent[] => {
  switch (command.type) {
    case 'RotateRefreshToken': {
      const { sessionId, userId, initialRefreshTokenId, presentedRefreshTokenId, nextRefreshTokenId } = command.data;
      const current = state.current ?? initialRefreshTokenId;
      if (presentedRefreshTokenId === current) {
        return [
          {
            type: 'SessionRefreshed',
            data: { sessionId, userId, previousRefreshTokenId: current, refreshTokenId: nextRefreshTokenId, occurredAt: command.metadata.now },
          },
        ];
      }
      if (state.retired.includes(presentedRefreshTokenId)) throw new RefreshTokenReusedError();
      throw new UnauthenticatedError('Invalid refresh token');
    }
    default:
      return assertNever(command.type, 'session command');
  }
};

export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  decide: decideSession,
  evolve: evolveSession,
  initialState: initialSessionState,
};

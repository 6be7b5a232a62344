import { assertNever, type Command, type Decider } from '../core/decider';
import { IllegalStateError, NotFoundError, ValidationError } from '../core/errors';

export const ROLES = ['agent', 'supervisor', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const userStreams = {
  user: (userId: string): string => `user-${userId}`,
  /** Username uniqueness: the stream is created once per lowercased username ('no_stream'). */
  username: (username: string): string => `username-${username.toLowerCase()}`,
  /** Refresh-token rotation of one session; short-lived, so the user stream stays small. */
  session: (sessionId: string): string => `session-${sessionId}`,
  prefixes: { user: 'user-', username: 'username-', session: 'session-' },
};

////////////////////////////////////////// Events

type At = { occurredAt: string };

export type UserCreated = {
  type: 'UserCreated';
  data: { userId: string; username: string; displayName: string; roles: Role[]; passwordHash: string; agentId?: string } & At;
};
export type UserPasswordChanged = { type: 'UserPasswordChanged'; data: { userId: string; passwordHash: string } & At };
export type UserRolesChanged = { type: 'UserRolesChanged'; data: { userId: string; roles: Role[] } & At };
export type UserDeactivated = { type: 'UserDeactivated'; data: { userId: string } & At };
export type UserReactivated = { type: 'UserReactivated'; data: { userId: string } & At };
export type UserLoggedIn = {
  type: 'UserLoggedIn';
  data: { userId: string; sessionId: string; deviceId: string; refreshTokenId: string; expiresAt: string } & At;
};
export type LogoutReason = 'logout' | 'refresh_token_reused';
export type UserLoggedOut = { type: 'UserLoggedOut'; data: { userId: string; sessionId: string; reason: LogoutReason } & At };
export type SessionsRevoked = { type: 'SessionsRevoked'; data: { userId: string; sessionIds: string[] } & At };

export type UserEvent =
  | UserCreated
  | UserPasswordChanged
  | UserRolesChanged
  | UserDeactivated
  | UserReactivated
  | UserLoggedIn
  | UserLoggedOut
  | SessionsRevoked;

export const USER_EVENT_TYPES: ReadonlySet<string> = new Set<UserEvent['type']>([
  'UserCreated',
  'UserPasswordChanged',
  'UserRolesChanged',
  'UserDeactivated',
  'UserReactivated',
  'UserLoggedIn',
  'UserLoggedOut',
  'SessionsRevoked',
]);

/** On `username-<lowercased>`: the last event names the user who holds the name. */
export type UsernameReserved = { type: 'UsernameReserved'; data: { username: string; userId: string } & At };

////////////////////////////////////////// State

export interface UserSession {
  sessionId: string;
  deviceId: string;
  refreshTokenId: string;
  startedAt: string;
  expiresAt: string;
}

export interface UserProfile {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  agentId?: string;
  createdAt: string;
}

export type UserState =
  | { status: 'none' }
  | ({ status: 'active' | 'deactivated'; passwordHash: string; sessions: Record<string, UserSession> } & UserProfile);

export type ExistingUser = Exclude<UserState, { status: 'none' }>;

export const initialUserState = (): UserState => ({ status: 'none' });

const withoutSession = (sessions: Record<string, UserSession>, sessionId: string): Record<string, UserSession> => {
  const rest = { ...sessions };
  delete rest[sessionId];
  return rest;
};

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  if (event.type === 'UserCreated') {
    const { userId, username, displayName, roles, passwordHash, agentId, occurredAt } = event.data;
    return { status: 'active', userId, username, displayName, roles, passwordHash, ...(agentId ? { agentId } : {}), createdAt: occurredAt, sessions: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'UserPasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash };
    case 'UserRolesChanged':
      return { ...state, roles: event.data.roles };
    case 'UserDeactivated':
      return { ...state, status: 'deactivated', sessions: {} };
    case 'UserReactivated':
      return { ...state, status: 'active' };
    case 'UserLoggedIn': {
      const { sessionId, deviceId, refreshTokenId, expiresAt, occurredAt } = event.data;
      // Sessions nobody logged out of (a closed browser) drop out once their refresh token has expired.
      const live = Object.fromEntries(Object.entries(state.sessions).filter(([, s]) => s.expiresAt > occurredAt));
      return { ...state, sessions: { ...live, [sessionId]: { sessionId, deviceId, refreshTokenId, startedAt: occurredAt, expiresAt } } };
    }
    case 'UserLoggedOut':
      return { ...state, sessions: withoutSession(state.sessions, event.data.sessionId) };
    case 'SessionsRevoked':
      return { ...state, sessions: {} };
    default:
      return assertNever(event, 'user event');
  }
};

////////////////////////////////////////// Commands

export type CreateUser = Command<
  'CreateUser',
  { userId: string; username: string; displayName: string; roles: Role[]; passwordHash: string; agentId?: string }
>;
export type ChangePassword = Command<'ChangePassword', { passwordHash: string; revokeSessions: boolean }>;
export type ChangeRoles = Command<'ChangeRoles', { roles: Role[] }>;
export type DeactivateUser = Command<'DeactivateUser', Record<string, never>>;
export type ReactivateUser = Command<'ReactivateUser', Record<string, never>>;
export type LogIn = Command<'LogIn', { sessionId: string; deviceId: string; refreshTokenId: string; expiresAt: string }>;
export type LogOut = Command<'LogOut', { sessionId: string; reason: LogoutReason }>;
export type RevokeSessions = Command<'RevokeSessions', Record<string, never>>;

export type UserCommand = CreateUser | ChangePassword | ChangeRoles | DeactivateUser | ReactivateUser | LogIn | LogOut | RevokeSessions;

export const validateRoles = (roles: readonly Role[], agentId: string | undefined): Role[] => {
  const unique = ROLES.filter((r) => roles.includes(r));
  if (unique.length === 0) throw new ValidationError('A user needs at least one role');
  if (unique.includes('agent') && !agentId) throw new ValidationError('The agent role needs a linked agent id');
  return unique;
};

const sameRoles = (a: readonly Role[], b: readonly Role[]): boolean => a.length === b.length && a.every((r) => b.includes(r));

export const decideUser = (command: UserCommand, state: UserState): UserEvent[] => {
  const occurredAt = command.metadata.now;
  if (command.type === 'CreateUser') {
    if (state.status !== 'none') throw new IllegalStateError(`User ${state.userId} already exists`);
    const { agentId, ...rest } = command.data;
    return [{ type: 'UserCreated', data: { ...rest, roles: validateRoles(rest.roles, agentId), ...(agentId ? { agentId } : {}), occurredAt } }];
  }
  if (state.status === 'none') throw new NotFoundError('User not found');
  const userId = state.userId;
  switch (command.type) {
    case 'ChangePassword': {
      const changed: UserEvent[] = [{ type: 'UserPasswordChanged', data: { userId, passwordHash: command.data.passwordHash, occurredAt } }];
      if (!command.data.revokeSessions) return changed;
      return [...changed, { type: 'SessionsRevoked', data: { userId, sessionIds: Object.keys(state.sessions), occurredAt } }];
    }
    case 'ChangeRoles': {
      const roles = validateRoles(command.data.roles, state.agentId);
      return sameRoles(roles, state.roles) ? [] : [{ type: 'UserRolesChanged', data: { userId, roles, occurredAt } }];
    }
    case 'DeactivateUser':
      return state.status === 'deactivated' ? [] : [{ type: 'UserDeactivated', data: { userId, occurredAt } }];
    case 'ReactivateUser':
      return state.status === 'active' ? [] : [{ type: 'UserReactivated', data: { userId, occurredAt } }];
    case 'LogIn':
      if (state.status !== 'active') throw new IllegalStateError('This account is deactivated');
      return [{ type: 'UserLoggedIn', data: { userId, ...command.data, occurredAt } }];
    case 'LogOut':
      return state.sessions[command.data.sessionId] ? [{ type: 'UserLoggedOut', data: { userId, ...command.data, occurredAt } }] : [];
    case 'RevokeSessions':
      return [{ type: 'SessionsRevoked', data: { userId, sessionIds: Object.keys(state.sessions), occurredAt } }];
    default:
      return assertNever(command, 'user command');
  }
};

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  decide: decideUser,
  evolve: evolveUser,
  initialState: initialUserState,
};

export const profileOf = (state: ExistingUser): UserProfile => ({
  userId: state.userId,
  username: state.username,
  displayName: state.displayName,
  roles: state.roles,
  ...(state.agentId ? { agentId: state.agentId } : {}),
  createdAt: state.createdAt,
});

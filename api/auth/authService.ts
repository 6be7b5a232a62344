import { randomUUID } from 'node:crypto';
import { CallstreamError, ForbiddenError, IllegalStateError, UnauthenticatedError, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { CommandHandler } from '../core/decider';
import type { CredentialService, TelephonyLogin } from '../telephonyCredentials/credentialService';
import type { PasswordHasher } from '../users/passwords';
import { userStreams, type ExistingUser, type Role, type UserSession } from '../users/user';
import type { UserDirectory } from '../users/userDirectory';
import { eventMetadata, type RequestMeta, type UserService } from '../users/userService';
import { LoginRateLimiter } from './loginRateLimiter';
import { RefreshTokenReusedError, decideSession, evolveSession, initialSessionState, type SessionEvent, type SessionState } from './session';
import type { SessionTokens } from './tokens';

/** The caller of a request, as checked against the current user state (not only the token). */
export interface AuthenticatedUser {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  agentId?: string;
  sessionId: string;
  deviceId: string;
}

export interface SessionTokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface LoginResult extends SessionTokenPair {
  user: AuthenticatedUser;
  /** For users linked to an agent: the softphone's WebRTC login. */
  telephony?: TelephonyLogin;
  /** Why `telephony` is missing for an agent (Telnyx unreachable…); the console retries with refreshTelephonyToken. */
  telephonyError?: string;
}

export interface AuthServiceOptions {
  eventStore: EventStore;
  users: UserService;
  directory: UserDirectory;
  credentials: CredentialService;
  passwords: PasswordHasher;
  tokens: SessionTokens;
  rateLimiter: LoginRateLimiter;
  refreshTtlSeconds: number;
  logger: Logger;
  clock?: () => Date;
  newId?: () => string;
}

export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A token younger than this whose session this node has not seen yet is checked against the stream (another node may have just issued it). */
const DIRECTORY_LAG_GRACE_MS = 60_000;

const upcastSession = (recorded: RecordedEvent): SessionEvent | undefined =>
  recorded.type === 'SessionRefreshed' ? ({ type: recorded.type, data: recorded.data } as SessionEvent) : undefined;

const handleSession = CommandHandler<SessionState, SessionEvent>({ evolve: evolveSession, initialState: initialSessionState }, upcastSession);

/**
 * The user's session with this id. Own keys only: a session id comes from a token's claims, and
 * `sessions['__proto__']` or `sessions['constructor']` would otherwise find Object's prototype or
 * constructor and take them for a live session.
 */
const sessionOf = (user: ExistingUser, sessionId: string): UserSession | undefined => (Object.hasOwn(user.sessions, sessionId) ? user.sessions[sessionId] : undefined);

const toAuthenticated = (user: ExistingUser, session: UserSession): AuthenticatedUser => ({
  userId: user.userId,
  username: user.username,
  displayName: user.displayName,
  roles: user.roles,
  ...(user.agentId ? { agentId: user.agentId } : {}),
  sessionId: session.sessionId,
  deviceId: session.deviceId,
});

/** Login, token refresh and logout, the per-request session check, and what ends sessions. */
export class AuthService {
  private readonly o: AuthServiceOptions;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(options: AuthServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'auth' });
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async login(input: { username: string; password: string; deviceId: string; ip: string }, requestId: string): Promise<LoginResult> {
    if (!DEVICE_ID.test(input.deviceId)) throw new ValidationError('deviceId is 1-64 characters: letters, digits, _ . -');
    const key = LoginRateLimiter.key(input.username, input.ip);
    await this.o.rateLimiter.assertAllowed(key);
    const user = await this.o.users.findByUsername(input.username);
    const ok = user ? await this.o.passwords.verify(input.password, user.passwordHash) : await this.o.passwords.verifyNothing(input.password);
    if (!user || !ok) {
      await this.o.rateLimiter.recordFailure(key);
      this.log.info({ username: input.username, ip: input.ip, requestId }, 'login failed');
      throw new UnauthenticatedError('Invalid username or password');
    }
    if (user.status !== 'active') throw new UnauthenticatedError('This account is deactivated');
    await this.o.rateLimiter.reset(key);

    const meta: RequestMeta = { actor: user.userId, requestId };
    const sessionId = this.newId();
    const refreshTokenId = this.newId();
    const expiresAt = new Date(this.clock().getTime() + this.o.refreshTtlSeconds * 1000);
    const { state } = await this.o.users.execute(
      user.userId,
      { type: 'LogIn', data: { sessionId, deviceId: input.deviceId, refreshTokenId, expiresAt: expiresAt.toISOString() } },
      meta,
    );
    const authenticated = toAuthenticated(state, state.sessions[sessionId]);
    const tokens = await this.issue(authenticated, refreshTokenId, expiresAt);
    this.log.info({ userId: user.userId, sessionId, deviceId: input.deviceId, requestId }, 'logged in');

    if (!authenticated.agentId) return { ...tokens, user: authenticated };
    try {
      const telephony = await this.o.credentials.issueToken({ agentId: authenticated.agentId, userId: user.userId, deviceId: input.deviceId }, meta, { create: true });
      return { ...tokens, user: authenticated, telephony };
    } catch (error) {
      this.log.error({ err: error, userId: user.userId, agentId: authenticated.agentId, requestId }, 'no telephony credential at login');
      const message = error instanceof CallstreamError ? error.message : 'Telnyx could not be reached';
      return { ...tokens, user: authenticated, telephonyError: message };
    }
  }

  async refresh(refreshToken: string, requestId: string): Promise<LoginResult> {
    const claims = await this.o.tokens.verifyRefresh(refreshToken);
    const meta: RequestMeta = { actor: claims.userId, requestId };
    const user = await this.o.users.load(claims.userId);
    if (user.status !== 'active') throw new UnauthenticatedError(user.status === 'none' ? 'Invalid refresh token' : 'This account is deactivated');
    const session = sessionOf(user, claims.sessionId);
    if (!session) throw new UnauthenticatedError('The session has ended; log in again');
    const next = this.newId();
    try {
      await handleSession(
        this.o.eventStore,
        userStreams.session(session.sessionId),
        (state) =>
          decideSession(
            {
              type: 'RotateRefreshToken',
              data: {
                sessionId: session.sessionId,
                userId: user.userId,
                initialRefreshTokenId: session.refreshTokenId,
                presentedRefreshTokenId: claims.refreshTokenId,
                nextRefreshTokenId: next,
              },
              metadata: { now: this.clock().toISOString(), commandId: this.newId(), actor: meta.actor, requestId },
            },
            state,
          ),
        { metadata: eventMetadata(meta, user.userId) },
      );
    } catch (error) {
      if (error instanceof RefreshTokenReusedError) {
        this.log.warn({ userId: user.userId, sessionId: session.sessionId, requestId }, 'a retired refresh token was presented; ending the session');
        await this.endSession(user, session, 'refresh_token_reused', meta);
      }
      throw error;
    }
    return { ...(await this.issue(toAuthenticated(user, session), next, new Date(session.expiresAt))), user: toAuthenticated(user, session) };
  }

  async logout(user: AuthenticatedUser, requestId: string): Promise<void> {
    const state = await this.o.users.load(user.userId);
    if (state.status === 'none') return;
    const session = sessionOf(state, user.sessionId);
    if (session) await this.endSession(state, session, 'logout', { actor: user.userId, requestId });
  }

  /**
   * The user behind an access token, with the roles they hold now. A token of a session that was
   * logged out or revoked, or of a deactivated user, is refused even before it expires.
   */
  async authenticate(accessToken: string): Promise<AuthenticatedUser> {
    const claims = await this.o.tokens.verifyAccess(accessToken);
    const recent = this.clock().getTime() - claims.issuedAt.getTime() < DIRECTORY_LAG_GRACE_MS;
    return this.currentSession(claims.userId, claims.sessionId, recent);
  }

  /**
   * The session as it stands now (a long-lived WebSocket checks it on each operation, after its
   * access token may have expired). `maybeUnseen`: the session may be too new for this node's
   * directory, so an unknown one is looked up in the stream.
   */
  async currentSession(userId: string, sessionId: string, maybeUnseen = false): Promise<AuthenticatedUser> {
    let user = this.o.directory.get(userId);
    if ((!user || !sessionOf(user, sessionId)) && maybeUnseen) {
      const state = await this.o.users.load(userId);
      user = state.status === 'none' ? undefined : state;
    }
    if (!user) throw new UnauthenticatedError('Invalid access token');
    if (user.status !== 'active') throw new UnauthenticatedError('This account is deactivated');
    const session = sessionOf(user, sessionId);
    if (!session) throw new UnauthenticatedError('The session has ended; log in again');
    return toAuthenticated(user, session);
  }

  /** A fresh WebRTC login token for the caller's own device (created through Telnyx when `create`). */
  async telephonyToken(user: AuthenticatedUser, deviceId: string | undefined, requestId: string, create: boolean): Promise<TelephonyLogin> {
    const agentId = this.agentOf(user);
    return this.o.credentials.issueToken({ agentId, userId: user.userId, deviceId: this.ownDevice(user, deviceId) }, { actor: user.userId, requestId }, { create });
  }

  async reportRegistration(user: AuthenticatedUser, deviceId: string | undefined, registered: boolean, requestId: string) {
    const agentId = this.agentOf(user);
    return this.o.credentials.reportRegistration({ agentId, deviceId: this.ownDevice(user, deviceId), registered }, { actor: user.userId, requestId });
  }

  async revokeSessions(userId: string, meta: RequestMeta): Promise<ExistingUser> {
    const { state } = await this.o.users.execute(userId, { type: 'RevokeSessions', data: {} }, meta);
    if (state.agentId) await this.o.credentials.revokeAll(state.agentId, 'sessions_revoked', meta);
    return state;
  }

  async deactivate(userId: string, meta: RequestMeta): Promise<ExistingUser> {
    if (userId === meta.actor) throw new IllegalStateError('You cannot deactivate your own account');
    const { state } = await this.o.users.execute(userId, { type: 'DeactivateUser', data: {} }, meta);
    if (state.agentId) await this.o.credentials.revokeAll(state.agentId, 'deactivated', meta);
    return state;
  }

  async resetPassword(userId: string, password: string, meta: RequestMeta): Promise<ExistingUser> {
    const state = await this.o.users.setPassword(userId, password, true, meta);
    if (state.agentId) await this.o.credentials.revokeAll(state.agentId, 'sessions_revoked', meta);
    return state;
  }

  private async endSession(user: ExistingUser, session: UserSession, reason: 'logout' | 'refresh_token_reused', meta: RequestMeta): Promise<void> {
    const { state } = await this.o.users.execute(user.userId, { type: 'LogOut', data: { sessionId: session.sessionId, reason } }, meta);
    const deviceStillInUse = Object.values(state.sessions).some((s) => s.deviceId === session.deviceId);
    if (state.agentId && !deviceStillInUse) await this.o.credentials.revokeDevice(state.agentId, session.deviceId, 'logout', meta);
    this.log.info({ userId: user.userId, sessionId: session.sessionId, reason, requestId: meta.requestId }, 'session ended');
  }

  private async issue(user: AuthenticatedUser, refreshTokenId: string, refreshExpiresAt: Date): Promise<SessionTokenPair> {
    const access = await this.o.tokens.signAccess({ userId: user.userId, sessionId: user.sessionId, roles: user.roles, ...(user.agentId ? { agentId: user.agentId } : {}) });
    const refresh = await this.o.tokens.signRefresh({ userId: user.userId, sessionId: user.sessionId, refreshTokenId, expiresAt: refreshExpiresAt });
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken: refresh.token, refreshTokenExpiresAt: refresh.expiresAt };
  }

  private agentOf(user: AuthenticatedUser): string {
    if (!user.agentId) throw new ForbiddenError('This user is not linked to an agent and has no softphone');
    return user.agentId;
  }

  private ownDevice(user: AuthenticatedUser, deviceId: string | undefined): string {
    if (deviceId !== undefined && deviceId !== user.deviceId) throw new ValidationError(`deviceId must be the device this session logged in on (${user.deviceId})`);
    return user.deviceId;
  }
}

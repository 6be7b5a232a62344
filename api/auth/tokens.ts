import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../core/errors';
import { ROLES, type Role } from '../users/user';

const ISSUER = 'callstream';
const ACCESS_AUDIENCE = 'callstream-api';
const REFRESH_AUDIENCE = 'callstream-refresh';
const ALGORITHM = 'HS256';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  roles: Role[];
  agentId?: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface RefreshClaims {
  userId: string;
  sessionId: string;
  refreshTokenId: string;
  expiresAt: Date;
}

export interface SignedToken {
  token: string;
  expiresAt: Date;
}

export interface SessionTokensOptions {
  secret: string;
  accessTtlSeconds: number;
  clock?: () => Date;
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * Signs and checks the API's own session tokens (HS256). Access and refresh tokens carry different
 * audiences, so one can never be used as the other.
 */
export class SessionTokens {
  private readonly key: Uint8Array;
  private readonly accessTtlSeconds: number;
  private readonly clock: () => Date;

  constructor(options: SessionTokensOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.accessTtlSeconds = options.accessTtlSeconds;
    this.clock = options.clock ?? (() => new Date());
  }

  async signAccess(claims: { userId: string; sessionId: string; roles: Role[]; agentId?: string }): Promise<SignedToken> {
    const now = this.clock();
    const expiresAt = new Date((seconds(now) + this.accessTtlSeconds) * 1000);
    const token = await new SignJWT({ roles: claims.roles, sid: claims.sessionId, ...(claims.agentId ? { agentId: claims.agentId } : {}) })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setSubject(claims.userId)
      .setIssuedAt(seconds(now))
      .setExpirationTime(seconds(expiresAt))
      .sign(this.key);
    return { token, expiresAt };
  }

  async signRefresh(claims: { userId: string; sessionId: string; refreshTokenId: string; expiresAt: Date }): Promise<SignedToken> {
    const expiresAt = new Date(seconds(claims.expiresAt) * 1000);
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(REFRESH_AUDIENCE)
      .setSubject(claims.userId)
      .setJti(claims.refreshTokenId)
      .setIssuedAt(seconds(this.clock()))
      .setExpirationTime(seconds(expiresAt))
      .sign(this.key);
    return { token, expiresAt };
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, ACCESS_AUDIENCE, 'access');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.iat !== 'number' || typeof payload.exp !== 'number') {
      throw new UnauthenticatedError('Malformed access token');
    }
    return {
      userId: payload.sub,
      sessionId: payload.sid,
      roles,
      ...(typeof payload.agentId === 'string' ? { agentId: payload.agentId } : {}),
      issuedAt: new Date(payload.iat * 1000),
      expiresAt: new Date(payload.exp * 1000),
    };
  }

  async verifyRefresh(token: string): Promise<RefreshClaims> {
    const payload = await this.verify(token, REFRESH_AUDIENCE, 'refresh');
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
      throw new UnauthenticatedError('Malformed refresh token');
    }
    return { userId: payload.sub, sessionId: payload.sid, refreshTokenId: payload.jti, expiresAt: new Date(payload.exp * 1000) };
  }

  private async verify(token: string, audience: string, kind: string): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience, algorithms: [ALGORITHM], currentDate: this.clock() });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError(`The ${kind} token has expired`);
      throw new UnauthenticatedError(`Invalid ${kind} token`);
    }
  }
}

import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { ForbiddenError, UnauthenticatedError } from '../../core/errors';

const ISSUER = 'callstream';
const AUDIENCE = 'callstream-recording';
const ALGORITHM = 'HS256';

/** What a download link grants: one stored recording of one call, to one user, until it expires. */
export interface RecordingGrant {
  recordingId: string;
  callId: string;
  /** The recording store location (signed, so the route needs no lookup and the client cannot change it). */
  location: string;
  contentType: string | null;
  userId: string;
}

export interface SignedLink {
  token: string;
  expiresAt: Date;
}

export interface RecordingLinksOptions {
  secret: string;
  ttlSeconds?: number;
  clock?: () => Date;
}

/**
 * Short-lived download links for recordings: an HS256 JWT (jose) with its own audience, signed with the
 * session secret, so a session token can never be used as a link nor a link as a session token. Rights
 * are checked when the link is made; the route only checks the signature, the audience and the expiry.
 */
export class RecordingLinks {
  private readonly key: Uint8Array;
  readonly ttlSeconds: number;
  private readonly clock: () => Date;

  constructor(options: RecordingLinksOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.ttlSeconds = options.ttlSeconds ?? 300;
    this.clock = options.clock ?? (() => new Date());
  }

  async sign(grant: RecordingGrant): Promise<SignedLink> {
    const nowSeconds = Math.floor(this.clock().getTime() / 1000);
    const expiresAt = new Date((nowSeconds + this.ttlSeconds) * 1000);
    const token = await new SignJWT({ cid: grant.callId, loc: grant.location, ...(grant.contentType ? { ct: grant.contentType } : {}), uid: grant.userId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(grant.recordingId)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The grant of a valid link for `recordingId`; UNAUTHENTICATED when expired or forged, FORBIDDEN when made for another recording. */
  async verify(token: string, recordingId: string): Promise<RecordingGrant> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        currentDate: this.clock(),
      });
      if (payload.sub !== recordingId) throw new ForbiddenError('This link is for another recording');
      if (typeof payload.cid !== 'string' || typeof payload.loc !== 'string' || typeof payload.uid !== 'string') throw new UnauthenticatedError('Invalid recording link');
      return {
        recordingId,
        callId: payload.cid,
        location: payload.loc,
        contentType: typeof payload.ct === 'string' ? payload.ct : null,
        userId: payload.uid,
      };
    } catch (error) {
      if (error instanceof ForbiddenError || error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('The recording link has expired');
      throw new UnauthenticatedError('Invalid recording link');
    }
  }
}

import { sign, verify } from 'node:crypto';
import { apiErrors } from './errors';
import { newSipPassword, newSipUsername, newUuid } from './ids';
import type { SigningKeys } from './keys';

export interface TelephonyCredential {
  id: string;
  record_type: 'credential';
  name: string | null;
  tag: string | null;
  connection_id: string;
  resource_id: string;
  sip_username: string;
  sip_password: string;
  user_id: string;
  expired: boolean;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sip_username: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  typ: 'access';
}

const TOKEN_LIFETIME_SECS = 24 * 60 * 60;
const ISSUER = 'telnyx_telephony';

/**
 * Telephony credentials (per-agent SIP identities) and their login tokens. Tokens are JWTs
 * signed EdDSA with the simulator's key, so the simulator's own WebRTC endpoint can check them
 * with `verifyToken`. Their iat/exp use the wall clock, because browsers compare `exp` with
 * their own clock; credential `expires_at` is compared with the same wall clock.
 */
export class CredentialStore {
  private readonly credentials = new Map<string, TelephonyCredential>();

  constructor(
    private readonly deps: { keys: SigningKeys; userId: string },
  ) {}

  create(body: { connection_id: string; name?: string; tag?: string; expires_at?: string }): TelephonyCredential {
    const now = new Date().toISOString();
    const id = newUuid();
    const credential: TelephonyCredential = {
      id,
      record_type: 'credential',
      name: body.name ?? null,
      tag: body.tag ?? null,
      connection_id: body.connection_id,
      resource_id: `connection:${body.connection_id}`,
      sip_username: newSipUsername(),
      sip_password: newSipPassword(),
      user_id: this.deps.userId,
      expired: false,
      expires_at: body.expires_at ?? null,
      created_at: now,
      updated_at: now,
    };
    this.credentials.set(id, credential);
    return this.view(credential);
  }

  get(id: string): TelephonyCredential {
    return this.view(this.require(id));
  }

  list(filter: { name?: string; tag?: string; status?: string; resource_id?: string; sip_username?: string }): TelephonyCredential[] {
    return [...this.credentials.values()]
      .map((c) => this.view(c))
      .filter(
        (c) =>
          (filter.name === undefined || c.name === filter.name) &&
          (filter.tag === undefined || c.tag === filter.tag) &&
          (filter.resource_id === undefined || c.resource_id === filter.resource_id) &&
          (filter.sip_username === undefined || c.sip_username === filter.sip_username) &&
          (filter.status === undefined || (filter.status === 'expired') === c.expired),
      );
  }

  update(id: string, patch: { connection_id?: string; name?: string; tag?: string; expires_at?: string }): TelephonyCredential {
    const c = this.require(id);
    if (patch.connection_id !== undefined) {
      c.connection_id = patch.connection_id;
      c.resource_id = `connection:${patch.connection_id}`;
    }
    if (patch.name !== undefined) c.name = patch.name;
    if (patch.tag !== undefined) c.tag = patch.tag;
    if (patch.expires_at !== undefined) c.expires_at = patch.expires_at;
    c.updated_at = new Date().toISOString();
    return this.view(c);
  }

  delete(id: string): TelephonyCredential {
    const c = this.require(id);
    this.credentials.delete(id);
    return this.view(c);
  }

  /** A JWT for `login_token`, valid 24 h or until the credential expires, whichever is first. */
  createToken(id: string): string {
    const c = this.view(this.require(id));
    if (c.expired) throw apiErrors.invalidState('The credential has expired.');
    const iat = Math.floor(Date.now() / 1000);
    let exp = iat + TOKEN_LIFETIME_SECS;
    if (c.expires_at) exp = Math.min(exp, Math.floor(Date.parse(c.expires_at) / 1000));
    const claims: TokenClaims = { iss: ISSUER, aud: ISSUER, sub: c.id, sip_username: c.sip_username, iat, nbf: iat, exp, jti: newUuid(), typ: 'access' };
    const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign(null, Buffer.from(`${header}.${body}`), this.deps.keys.privateKey).toString('base64url');
    return `${header}.${body}.${signature}`;
  }

  /** Checks a token minted here: signature, time window, and that its credential still exists. */
  verifyToken(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, body, signature] = parts as [string, string, string];
    try {
      const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
      if (h.alg !== 'EdDSA') return undefined;
      if (!verify(null, Buffer.from(`${header}.${body}`), this.deps.keys.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      const now = Math.floor(Date.now() / 1000);
      if (claims.iss !== ISSUER || now < claims.nbf || now >= claims.exp) return undefined;
      if (!this.credentials.has(claims.sub)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  clear(): void {
    this.credentials.clear();
  }

  private require(id: string): TelephonyCredential {
    const c = this.credentials.get(id);
    if (!c) throw apiErrors.notFound(`Telephony credential '${id}'`);
    return c;
  }

  private view(c: TelephonyCredential): TelephonyCredential {
    const expired = c.expires_at !== null && Date.parse(c.expires_at) <= Date.now();
    return { ...c, expired };
  }
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

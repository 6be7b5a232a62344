/**
 * When to renew what expires: the session's access token and the softphone's WebRTC login token.
 * Pure, so the timing rules are tested without timers.
 */

export interface RefreshPolicy {
  /** Renew when this fraction of the token's lifetime has passed… */
  fraction: number;
  /** …but at least this long before expiry… */
  minLeadMs: number;
  /** …and never sooner than this after now (a clock that is off must not cause a refresh storm). */
  floorMs: number;
}

/** Access tokens live minutes: renew at 75% of their life, at least 30 s before they end. */
export const SESSION_REFRESH: RefreshPolicy = { fraction: 0.75, minLeadMs: 30_000, floorMs: 1_000 };

/** WebRTC tokens live 24 h: renew an hour ahead (the SDK's own warning comes only 2 min ahead). */
export const TELEPHONY_REFRESH: RefreshPolicy = { fraction: 0.9, minLeadMs: 60 * 60_000, floorMs: 5_000 };

/**
 * Milliseconds from `nowMs` until a token issued at `issuedAtMs` (or now, when unknown) and expiring
 * at `expiresAtMs` should be renewed.
 */
export const refreshDelay = (expiresAtMs: number, nowMs: number, policy: RefreshPolicy, issuedAtMs: number = nowMs): number => {
  const lifetime = Math.max(0, expiresAtMs - issuedAtMs);
  const byFraction = issuedAtMs + lifetime * policy.fraction;
  const byLead = expiresAtMs - policy.minLeadMs;
  const at = Math.min(byFraction, byLead);
  return Math.max(policy.floorMs, Math.round(at - nowMs));
};

/** Backoff for retrying a failed renewal: 1 s, 2 s, 4 s … capped, but never past the expiry. */
export const retryDelay = (attempt: number, expiresAtMs: number, nowMs: number, capMs = 30_000): number => {
  const backoff = Math.min(capMs, 1000 * 2 ** Math.max(0, attempt));
  const left = expiresAtMs - nowMs;
  return left > 2_000 ? Math.min(backoff, left - 1_000) : Math.min(backoff, 1_000);
};

/** The `exp` of a JWT in ms, read without verifying (the SDK's token; the browser only schedules with it). */
export const jwtExpiryMs = (jwt: string, decode: (base64: string) => string): number | null => {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const json = decode(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(part.length + ((4 - (part.length % 4)) % 4), '='));
    const claims: unknown = JSON.parse(json);
    if (typeof claims === 'object' && claims !== null && 'exp' in claims && typeof claims.exp === 'number') return claims.exp * 1000;
    return null;
  } catch {
    return null;
  }
};

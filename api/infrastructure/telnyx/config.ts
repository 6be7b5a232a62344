import { z } from 'zod';
import { ValidationError } from '../../core/errors';

export const TELNYX_DEFAULT_BASE_URL = 'https://api.telnyx.com/v2';

export interface TelnyxConfig {
  /** 'telnyx' talks to Telnyx; 'simulator' to a simulator (embedded or at TELNYX_BASE_URL). */
  mode: 'telnyx' | 'simulator';
  apiKey: string;
  /** Base64 of the 32-byte Ed25519 key that signs webhooks. */
  publicKey: string;
  baseURL: string;
  /** Call Control application: dial's connection_id. */
  connectionId?: string;
  /** Credential Connection: telephony credentials are created on it. */
  credentialConnectionId?: string;
  maxRetries: number;
  timeoutMs: number;
  /**
   * Simulated seconds per real second (1 against Telnyx). The product divides its own waits by it
   * (an offer timeout of 20 s waits 20/scale real seconds) to stay on the simulator's time line.
   */
  timeScale: number;
}

/** What an in-process simulator provides (the fields of `createSimulator`'s result). */
export interface EmbeddedTelnyx {
  apiBaseUrl: string;
  apiKey: string;
  publicKeyBase64: string;
  connectionId: string;
  credentialConnectionId: string;
  scale: number;
}

const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());
const publicKey = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be the base64 of a 32-byte Ed25519 public key')
    .optional(),
);
const baseUrl = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .url()
    .refine((v) => /\/v2\/?$/.test(v), 'must end with /v2 (e.g. http://127.0.0.1:4010/v2)')
    .optional(),
);
const int = (min: number, max: number, fallback: number) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : Number(v)), z.number().int().min(min).max(max));

const EnvSchema = z.object({
  TELNYX_API_KEY: optionalString,
  TELNYX_PUBLIC_KEY: publicKey,
  TELNYX_CONNECTION_ID: optionalString,
  TELNYX_CREDENTIAL_CONNECTION_ID: optionalString,
  TELNYX_BASE_URL: baseUrl,
  TELNYX_MAX_RETRIES: int(0, 10, 2),
  TELNYX_TIMEOUT_MS: int(100, 600_000, 10_000),
  SIM_SCALE: z.preprocess((v) => (v === undefined || v === '' ? 1 : Number(v)), z.number().positive().max(100_000)),
});

export class TelnyxConfigError extends ValidationError {}

/**
 * Reads the Telnyx settings once at start.
 * - TELNYX_BASE_URL set: that endpoint (a simulator unless it is api.telnyx.com); key, public key and connection id required.
 * - else TELNYX_API_KEY set: Telnyx itself; public key and connection id required.
 * - else the embedded simulator passed in (npm start, tests).
 */
export function loadTelnyxConfig(env: NodeJS.ProcessEnv = process.env, embedded?: EmbeddedTelnyx): TelnyxConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new TelnyxConfigError(`Invalid Telnyx configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const common = { maxRetries: e.TELNYX_MAX_RETRIES, timeoutMs: e.TELNYX_TIMEOUT_MS };

  if (e.TELNYX_BASE_URL || e.TELNYX_API_KEY) {
    const baseURL = (e.TELNYX_BASE_URL ?? TELNYX_DEFAULT_BASE_URL).replace(/\/$/, '');
    const mode = new URL(baseURL).hostname === 'api.telnyx.com' ? 'telnyx' : 'simulator';
    const missing = (['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'TELNYX_CONNECTION_ID'] as const).filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new TelnyxConfigError(`Invalid Telnyx configuration:\n  ${missing.map((m) => `${m}: required when ${e.TELNYX_BASE_URL ? 'TELNYX_BASE_URL' : 'TELNYX_API_KEY'} is set`).join('\n  ')}`);
    }
    return {
      mode,
      apiKey: e.TELNYX_API_KEY!,
      publicKey: e.TELNYX_PUBLIC_KEY!,
      baseURL,
      connectionId: e.TELNYX_CONNECTION_ID,
      credentialConnectionId: e.TELNYX_CREDENTIAL_CONNECTION_ID,
      ...common,
      timeScale: mode === 'telnyx' ? 1 : e.SIM_SCALE,
    };
  }
  if (!embedded) {
    throw new TelnyxConfigError('Invalid Telnyx configuration:\n  TELNYX_API_KEY: not set, and no embedded simulator was started (set TELNYX_API_KEY or TELNYX_BASE_URL)');
  }
  return {
    mode: 'simulator',
    apiKey: embedded.apiKey,
    publicKey: embedded.publicKeyBase64,
    baseURL: embedded.apiBaseUrl,
    connectionId: embedded.connectionId,
    credentialConnectionId: embedded.credentialConnectionId,
    ...common,
    timeScale: embedded.scale,
  };
}

/** The embedded-mode settings of a simulator started in-process with `createSimulator`. */
export function embeddedFromSimulator(sim: {
  apiBaseUrl: string;
  apiKey: string;
  publicKeyBase64: string;
  options: { connectionId: string; credentialConnectionId: string; scale: number };
}): EmbeddedTelnyx {
  return {
    apiBaseUrl: sim.apiBaseUrl,
    apiKey: sim.apiKey,
    publicKeyBase64: sim.publicKeyBase64,
    connectionId: sim.options.connectionId,
    credentialConnectionId: sim.options.credentialConnectionId,
    scale: sim.options.scale,
  };
}

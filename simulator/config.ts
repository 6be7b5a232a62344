import { z } from 'zod';

const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

export const FaultsSchema = z.object({
  /** Deliver an event a second time (same data.id) after it was acknowledged. */
  duplicate: z.object({ rate: rate.default(0) }).default({ rate: 0 }),
  /** Hold an event back by a random 0..windowMs (real ms) so later events overtake it. */
  reorder: z.object({ rate: rate.default(0), windowMs: nonNegative.default(200) }).default({ rate: 0, windowMs: 200 }),
  /** Add delayMs (real ms) before an event is delivered. */
  delay: z.object({ rate: rate.default(0), delayMs: nonNegative.default(500) }).default({ rate: 0, delayMs: 500 }),
  /** Make the first attempt of an event, then treat it as failed (a lost 200 / receiver timeout) so it is redelivered. */
  dropFirstAttempt: z.object({ rate: rate.default(0) }).default({ rate: 0 }),
  /** Answer a REST request with a 5xx without executing it. */
  rest5xx: z.object({ rate: rate.default(0), status: z.number().int().min(500).max(599).default(503) }).default({ rate: 0, status: 503 }),
  /** Execute a REST request, then hold the response for hangMs (real ms): longer than the client's timeout. */
  restTimeout: z.object({ rate: rate.default(0), hangMs: nonNegative.default(15_000) }).default({ rate: 0, hangMs: 15_000 }),
});
export type Faults = z.infer<typeof FaultsSchema>;
export type FaultKind = keyof Faults;
export const FAULT_KINDS: readonly FaultKind[] = ['duplicate', 'reorder', 'delay', 'dropFirstAttempt', 'rest5xx', 'restTimeout'];

/** A partial update of the fault switches, as accepted at runtime by PUT /sim/faults. */
export const FaultsPatchSchema = z.object({
  duplicate: z.object({ rate }).partial().optional(),
  reorder: z.object({ rate, windowMs: nonNegative }).partial().optional(),
  delay: z.object({ rate, delayMs: nonNegative }).partial().optional(),
  dropFirstAttempt: z.object({ rate }).partial().optional(),
  rest5xx: z.object({ rate, status: z.number().int().min(500).max(599) }).partial().optional(),
  restTimeout: z.object({ rate, hangMs: nonNegative }).partial().optional(),
});
export type FaultsPatch = z.infer<typeof FaultsPatchSchema>;

export const WebhookDeliverySchema = z.object({
  /** Concurrent deliveries in flight (Telnyx does not order deliveries; 1 keeps emission order). */
  concurrency: z.number().int().min(1).max(1024).default(8),
  /** Real ms to wait for the receiver's answer before the attempt counts as failed. */
  timeoutMs: z.number().int().min(1).default(10_000),
  /** Real ms to wait before attempt n+1 (last value repeats). */
  retryDelaysMs: z.array(nonNegative).min(1).default([250, 1_000, 2_000, 4_000]),
  /** Attempts per event in total; attempts after `primaryAttempts` go to the failover URL when one is set. */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  primaryAttempts: z.number().int().min(1).default(2),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const SimulatorOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Bearer key the /v2 API accepts. */
  apiKey: z.string().min(1).default('KEY_SIMULATOR'),
  /** Bearer key for /sim (defaults to apiKey). */
  controlKey: z.string().min(1).optional(),
  webhookUrl: z.url().optional(),
  failoverUrl: z.url().optional(),
  /** Simulated time runs this many times faster than real time. */
  scale: z.number().positive().max(100_000).default(1),
  /** Call Control application id: inbound calls arrive on it and dial requires it. */
  connectionId: z.string().min(1).default('sim-call-control-app'),
  /** Credential connection of the agent devices: their outbound calls arrive on it. */
  credentialConnectionId: z.string().min(1).default('sim-credential-connection'),
  /** The number inbound world callers dial. */
  mainNumber: z.string().min(1).default('+15550100000'),
  /** PEM file holding the Ed25519 private key; created when missing so restarts keep the key. */
  keyFile: z.string().min(1).optional(),
  /** PEM (PKCS#8) Ed25519 private key; wins over keyFile. */
  privateKeyPem: z.string().min(1).optional(),
  /** Base URL put into recording URLs (defaults to the listening URL). */
  publicUrl: z.url().optional(),
  seed: z.number().int().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  webhooks: WebhookDeliverySchema.default(WebhookDeliverySchema.parse({})),
  faults: FaultsSchema.default(FaultsSchema.parse({})),
  /** Simulated ms an unanswered inbound call waits before the caller gives up. */
  inboundAnswerTimeoutMs: nonNegative.default(30_000),
  /** Simulated ms after which recording URLs stop working. */
  recordingUrlTtlMs: nonNegative.default(10 * 60_000),
  /** Longest audio (simulated seconds) a recording file holds; longer recordings are cut. */
  recordingMaxAudioSecs: z.number().positive().default(60),
  /** Simulated ms an audio_url / media_name playback lasts per loop. */
  playbackDurationMs: nonNegative.default(10_000),
  /** Simulated ms per character of spoken text (speak, gather_using_speak). */
  speakMsPerChar: nonNegative.default(60),
  /**
   * Simulated ms during which a repeated command_id on the same leg is ignored (Telnyx: 60 s).
   * At high scales this is short in real time while SDK retry back-off is not scaled; widen it
   * for load tests with REST faults.
   */
  commandIdWindowMs: nonNegative.default(60_000),
  /** Simulated ms an ended leg stays readable with GET /calls/{id}. */
  legRetentionMs: nonNegative.default(60 * 60_000),
});
export type SimulatorOptionsInput = z.input<typeof SimulatorOptionsSchema>;
export type SimulatorOptions = z.output<typeof SimulatorOptionsSchema>;

export class SimulatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorConfigError';
  }
}

/** Validates options; the message names each bad option (by env var or flag when `names` maps it). */
export function parseSimulatorOptions(input: unknown, names: Record<string, string> = {}): SimulatorOptions {
  const result = SimulatorOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    return `${names[path] ?? path}: ${issue.message}`;
  });
  throw new SimulatorConfigError(`Invalid simulator configuration:\n  ${lines.join('\n  ')}`);
}

/** Environment variables the simulator reads, by option path. */
export const ENV_NAMES: Record<string, string> = {
  host: 'SIM_HOST',
  port: 'SIM_PORT',
  apiKey: 'SIM_API_KEY',
  controlKey: 'SIM_CONTROL_KEY',
  webhookUrl: 'SIM_WEBHOOK_URL',
  failoverUrl: 'SIM_FAILOVER_URL',
  scale: 'SIM_SCALE',
  connectionId: 'SIM_CONNECTION_ID',
  credentialConnectionId: 'SIM_CREDENTIAL_CONNECTION_ID',
  mainNumber: 'SIM_MAIN_NUMBER',
  keyFile: 'SIM_KEY_FILE',
  privateKeyPem: 'SIM_PRIVATE_KEY_PEM',
  publicUrl: 'SIM_PUBLIC_URL',
  seed: 'SIM_SEED',
  logLevel: 'LOG_LEVEL',
  'webhooks.concurrency': 'SIM_WEBHOOK_CONCURRENCY',
  'webhooks.timeoutMs': 'SIM_WEBHOOK_TIMEOUT_MS',
  'webhooks.maxAttempts': 'SIM_WEBHOOK_MAX_ATTEMPTS',
};

const NUMERIC = new Set(['port', 'scale', 'seed', 'webhooks.concurrency', 'webhooks.timeoutMs', 'webhooks.maxAttempts']);

/** Reads the SIM_* environment into an options object (not yet validated). */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, name] of Object.entries(ENV_NAMES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (name === 'LOG_LEVEL' && !(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const).includes(raw as never)) continue;
    setPath(out, path, NUMERIC.has(path) ? toNumber(raw) : raw);
  }
  return out;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cursor = target;
  for (const part of parts.slice(0, -1)) {
    const next = cursor[part];
    if (typeof next === 'object' && next !== null) cursor = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      cursor[part] = created;
      cursor = created;
    }
  }
  cursor[parts[parts.length - 1]!] = value;
}

function toNumber(raw: string): number | string {
  const n = Number(raw);
  // Left as a string when not numeric so validation reports the variable by name.
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

export function mergeOptions(...layers: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) deepAssign(out, layer);
  return out;
}

function deepAssign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    const existing = target[k];
    if (isPlainObject(v) && isPlainObject(existing)) deepAssign(existing, v);
    else if (isPlainObject(v)) {
      const copy: Record<string, unknown> = {};
      deepAssign(copy, v);
      target[k] = copy;
    } else target[k] = v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

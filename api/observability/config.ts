import { z } from 'zod';
import { ValidationError } from '../core/errors';

const emptyAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const flag = (defaultValue: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
      .default(defaultValue ? 'true' : 'false')
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  );

const intIn = (min: number, max: number, defaultValue: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(defaultValue));

const ObservabilityEnv = z.object({
  CALLSTREAM_METRICS_ENABLED: flag(true),
  CALLSTREAM_METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  CALLSTREAM_READY_TIMEOUT_MS: intIn(50, 60_000, 2000),
  CALLSTREAM_READY_MAX_PROJECTION_LAG: intIn(0, Number.MAX_SAFE_INTEGER, 1_000_000),
  CALLSTREAM_READY_MAX_REACTOR_LAG: intIn(0, Number.MAX_SAFE_INTEGER, 1_000_000),
  CALLSTREAM_RATE_LIMIT_WINDOW_SECONDS: intIn(1, 3600, 60),
  CALLSTREAM_RATE_LIMIT_WEBHOOKS: intIn(0, 10_000_000, 12_000),
  CALLSTREAM_RATE_LIMIT_GRAPHQL: intIn(0, 10_000_000, 1200),
});

export interface RateLimit {
  windowMs: number;
  /** Requests per client IP per window. */
  limit: number;
}

export interface ObservabilityConfig {
  metricsEnabled: boolean;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  readiness: {
    timeoutMs: number;
    /** In event-store positions: events for the embedded store, log bytes for KurrentDB. 0 turns the check off. */
    maxProjectionLag: number;
    maxReactorLag: number;
  };
  /** Absent entries are not limited. */
  rateLimits: { webhooks?: RateLimit; graphql?: RateLimit };
}

/** Reads and validates the metrics, readiness and rate-limit settings once, at start. */
export const loadObservabilityConfig = (env: NodeJS.ProcessEnv = process.env): ObservabilityConfig => {
  const parsed = ObservabilityEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const windowMs = e.CALLSTREAM_RATE_LIMIT_WINDOW_SECONDS * 1000;
  return {
    metricsEnabled: e.CALLSTREAM_METRICS_ENABLED,
    metricsToken: e.CALLSTREAM_METRICS_TOKEN,
    readiness: {
      timeoutMs: e.CALLSTREAM_READY_TIMEOUT_MS,
      maxProjectionLag: e.CALLSTREAM_READY_MAX_PROJECTION_LAG,
      maxReactorLag: e.CALLSTREAM_READY_MAX_REACTOR_LAG,
    },
    rateLimits: {
      ...(e.CALLSTREAM_RATE_LIMIT_WEBHOOKS > 0 ? { webhooks: { windowMs, limit: e.CALLSTREAM_RATE_LIMIT_WEBHOOKS } } : {}),
      ...(e.CALLSTREAM_RATE_LIMIT_GRAPHQL > 0 ? { graphql: { windowMs, limit: e.CALLSTREAM_RATE_LIMIT_GRAPHQL } } : {}),
    },
  };
};

// ---- the ops endpoints of processes without an HTTP server (api/observability/opsServer.ts) ------

/** The default ops port of the reactor process (api/reactorMain.ts). */
export const REACTOR_OPS_PORT = 9464;
/** The default ops port of the projections process (`projections/cli.ts run`). */
export const PROJECTIONS_OPS_PORT = 9465;

export interface OpsEndpoint {
  port: number;
  host: string;
}

const OpsEnv = z.object({
  CALLSTREAM_OPS_PORT: z.preprocess(
    emptyAsUndefined,
    z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { message: "must be a port (0-65535, 0 for any free one) or 'off'" }).optional(),
  ),
  CALLSTREAM_OPS_HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
});

/**
 * Where a process without an HTTP server of its own serves /health/live, /health/ready and /metrics:
 * CALLSTREAM_OPS_PORT (`defaultPort` when unset, 0 for any free port, `off` for none) on
 * CALLSTREAM_OPS_HOST (0.0.0.0). Null when turned off.
 */
export const loadOpsEndpoint = (env: NodeJS.ProcessEnv, defaultPort: number): OpsEndpoint | null => {
  const parsed = OpsEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const port = parsed.data.CALLSTREAM_OPS_PORT ?? defaultPort;
  return port === 'off' ? null : { port, host: parsed.data.CALLSTREAM_OPS_HOST };
};

import { z } from 'zod';
import { ValidationError } from '../core/errors';
import type { TelnyxConfig } from '../infrastructure/telnyx/config';
import { scaledClock, systemClock, type ClockAnchor, type ReactorClock } from './clock';

const emptyAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);
const int = (min: number, max: number, fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const flag = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  );

const ReactorEnv = z.object({
  CALLSTREAM_REACTOR: flag(true),
  CALLSTREAM_REACTOR_LEASE_TTL_MS: int(500, 300_000, 10_000),
  CALLSTREAM_REACTOR_CHECKPOINT_MS: int(10, 60_000, 1000),
  CALLSTREAM_REACTOR_SEED_CONFIGURATION: flag(true),
  CALLSTREAM_AVERAGE_HANDLE_SECONDS: int(1, 36_000, 180),
  TELNYX_COMMAND_ID_WINDOW_MS: int(1000, 3_600_000, 60_000),
  SIM_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  SIM_CONTROL_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
});

export interface ReactorSettings {
  /** Run the reactor inside the API process (npm start); the compose layout runs it alone (api/reactorMain.ts). */
  inProcess: boolean;
  leaseTtlMs: number;
  checkpointIntervalMs: number;
  seedDefaultConfiguration: boolean;
  averageHandleSeconds: number;
  commandIdWindowMs: number;
  /** A simulator's control API, to read its clock (another process at SIM_SCALE). */
  simulator?: { url: string; controlKey?: string };
}

/** The reactor's settings from the environment, validated once at start. */
export const loadReactorSettings = (env: NodeJS.ProcessEnv = process.env): ReactorSettings => {
  const parsed = ReactorEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    inProcess: e.CALLSTREAM_REACTOR,
    leaseTtlMs: e.CALLSTREAM_REACTOR_LEASE_TTL_MS,
    checkpointIntervalMs: e.CALLSTREAM_REACTOR_CHECKPOINT_MS,
    seedDefaultConfiguration: e.CALLSTREAM_REACTOR_SEED_CONFIGURATION,
    averageHandleSeconds: e.CALLSTREAM_AVERAGE_HANDLE_SECONDS,
    commandIdWindowMs: e.TELNYX_COMMAND_ID_WINDOW_MS,
    ...(e.SIM_URL ? { simulator: { url: e.SIM_URL, ...(e.SIM_CONTROL_KEY ? { controlKey: e.SIM_CONTROL_KEY } : {}) } } : {}),
  };
};

/** Reads a simulator's clock anchor from its control API; undefined when it cannot be reached. */
export const fetchSimulatorAnchor = async (simulator: { url: string; controlKey?: string }, apiKey: string): Promise<ClockAnchor | undefined> => {
  try {
    const response = await fetch(`${simulator.url.replace(/\/+$/, '')}/sim/clock`, {
      headers: { authorization: `Bearer ${simulator.controlKey ?? apiKey}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { simBaseMs?: unknown; realBaseMs?: unknown };
    if (typeof body.simBaseMs !== 'number' || typeof body.realBaseMs !== 'number') return undefined;
    return { simBaseMs: body.simBaseMs, realBaseMs: body.realBaseMs };
  } catch {
    return undefined;
  }
};

/** The clock of a reactor talking to Telnyx (real time) or to a simulator in another process (its scaled time). */
export const reactorClockFor = async (telnyx: TelnyxConfig, settings: ReactorSettings): Promise<ReactorClock> => {
  if (telnyx.mode === 'telnyx' || telnyx.timeScale === 1) return systemClock();
  const anchor = settings.simulator ? await fetchSimulatorAnchor(settings.simulator, telnyx.apiKey) : undefined;
  return scaledClock(telnyx.timeScale, anchor);
};

import type { Logger } from '../core/logger';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import type { ProjectionProgress, ReactorProgress } from './metrics';

export type CheckResult = { ok: true; detail?: Record<string, unknown> } | { ok: false; reason: string; detail?: Record<string, unknown> };

/** One thing the process needs to serve traffic. `run` answers or throws; a throw counts as a failure. */
export interface ReadinessCheck {
  readonly name: string;
  run(): Promise<CheckResult>;
}

export interface CheckReport {
  status: 'ok' | 'failed';
  reason?: string;
  detail?: Record<string, unknown>;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, CheckReport>;
}

export class ReadinessCheckTimeoutError extends Error {
  constructor(name: string, timeoutMs: number) {
    super(`readiness check '${name}' did not answer within ${timeoutMs} ms`);
    this.name = 'ReadinessCheckTimeoutError';
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The checks behind GET /health/ready. Anyone may register one (the composition root registers the
 * stores, the projections and the reactor); the process is ready when every check passes within the
 * timeout. Checks run in parallel on each probe.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(
    private readonly options: { timeoutMs: number; logger: Logger },
  ) {}

  /** Adds (or replaces, by name) a check; the returned function removes it. */
  register(check: ReadinessCheck): () => void {
    this.checks.set(check.name, check);
    return () => {
      if (this.checks.get(check.name) === check) this.checks.delete(check.name);
    };
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async evaluate(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.checks.values()].map(async (check) => [check.name, await this.runOne(check)] as const));
    const checks = Object.fromEntries(entries);
    const status = entries.every(([, report]) => report.status === 'ok') ? 'ok' : 'unavailable';
    if (status !== 'ok') {
      const failed = entries.filter(([, r]) => r.status !== 'ok').map(([name, r]) => ({ name, reason: r.reason }));
      this.options.logger.warn({ failed }, 'not ready');
    }
    return { status, checks };
  }

  private async runOne(check: ReadinessCheck): Promise<CheckReport> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReadinessCheckTimeoutError(check.name, this.options.timeoutMs)), this.options.timeoutMs);
    });
    try {
      const result = await Promise.race([check.run(), timeout]);
      return result.ok ? { status: 'ok', ...(result.detail ? { detail: result.detail } : {}) } : { status: 'failed', reason: result.reason, ...(result.detail ? { detail: result.detail } : {}) };
    } catch (error) {
      return { status: 'failed', reason: describe(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

// ---- the standard checks ------------------------------------------------------------------------

/** The event store answers: its head position can be read. */
export const eventStoreCheck = (eventStore: Pick<EventStore, 'headPosition'>): ReadinessCheck => ({
  name: 'eventStore',
  async run() {
    const head = await eventStore.headPosition();
    return { ok: true, detail: { headPosition: head.toString() } };
  },
});

/** The read-model store answers: one small read of the settings. */
export const readModelStoreCheck = (readModels: Pick<ReadModelStore, 'getSetting'>): ReadinessCheck => ({
  name: 'readModelStore',
  async run() {
    await readModels.getSetting('callstream.readiness');
    return { ok: true };
  },
});

export interface ProjectionLagReader {
  lag(): Promise<readonly ProjectionProgress[]>;
  /** Projections that stopped on an event in this process (ProjectionDaemon.failed()). */
  failed?(): ReadonlyMap<string, unknown>;
}

/** Every projection is within `maxLag` positions of the head, and none has stopped in this process. 0 turns the lag limit off. */
export const projectionLagCheck = (projections: ProjectionLagReader, maxLag: number): ReadinessCheck => ({
  name: 'projections',
  async run() {
    const failed = [...(projections.failed?.().keys() ?? [])];
    const lags = await projections.lag();
    const behind = maxLag > 0 ? lags.filter((l) => l.lag > BigInt(maxLag)).map((l) => l.projection) : [];
    const detail = { maxLag, lag: Object.fromEntries(lags.map((l) => [l.projection, l.lag.toString()])) };
    if (failed.length > 0) return { ok: false, reason: `stopped: ${failed.join(', ')}`, detail };
    if (behind.length > 0) return { ok: false, reason: `lag above ${maxLag}: ${behind.join(', ')}`, detail };
    return { ok: true, detail };
  },
});

/** Each reactor running in this process is within `maxLag` positions of the head (passes while none has reported). 0 turns the limit off. */
export const reactorLagCheck = (reactors: { reactorProgress(): Promise<readonly ReactorProgress[]> }, maxLag: number): ReadinessCheck => ({
  name: 'reactor',
  async run() {
    const progress = await reactors.reactorProgress();
    const detail = { maxLag, lag: Object.fromEntries(progress.map((r) => [r.reactor, r.lag === null ? null : r.lag.toString()])) };
    const behind = maxLag > 0 ? progress.filter((r) => r.lag !== null && r.lag > BigInt(maxLag)).map((r) => r.reactor) : [];
    if (behind.length > 0) return { ok: false, reason: `lag above ${maxLag}: ${behind.join(', ')}`, detail };
    return { ok: true, detail };
  },
});

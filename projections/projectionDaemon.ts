import type { EventStore } from '../api/infrastructure/eventStore/eventStore';
import type { Logger } from '../api/core/logger';
import { createLogger } from '../api/core/logger';
import type { ReadModelStore } from './infrastructure/readModels/readModelStore';
import type { Projection } from './runner/projection';
import { ProjectionRunner } from './runner/projectionRunner';
import { checkpointName, readActiveGeneration } from './runner/generations';

export interface ProjectionLag {
  projection: string;
  generation: number | null;
  position: bigint;
  head: bigint;
  lag: bigint;
}

/** Runs every projection in live mode; a projection that fails stops alone and is reported, the others go on. */
export class ProjectionDaemon {
  private readonly runners: ProjectionRunner[];
  private readonly failures = new Map<string, unknown>();
  private readonly logger: Logger;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readModels: ReadModelStore,
    projections: Projection[],
    logger?: Logger,
  ) {
    this.logger = logger ?? createLogger('projections');
    this.runners = projections.map((projection) => new ProjectionRunner(projection, { eventStore, readModels }));
  }

  start(): void {
    for (const runner of this.runners) {
      runner.start().catch((error: unknown) => {
        this.failures.set(runner.projection.name, error);
        this.logger.error({ err: error, projection: runner.projection.name }, 'projection stopped');
      });
    }
  }

  failed(): ReadonlyMap<string, unknown> {
    return this.failures;
  }

  async lag(): Promise<ProjectionLag[]> {
    const head = await this.eventStore.headPosition();
    return Promise.all(
      this.runners.map(async ({ projection }) => {
        const active = await readActiveGeneration(this.readModels, projection.name);
        const checkpoint = active ? await this.readModels.getCheckpoint(checkpointName(projection.name, active.generation)) : null;
        const position = checkpoint?.position ?? -1n;
        return { projection: projection.name, generation: active?.generation ?? null, position, head, lag: head - position };
      }),
    );
  }

  /** Read-your-writes: resolves once every projection (or the named ones) has applied `position`. */
  async waitFor(position: bigint, timeoutMs = 5000, names?: string[]): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lags = (await this.lag()).filter((l) => !names || names.includes(l.projection));
      if (lags.every((l) => l.position >= position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}

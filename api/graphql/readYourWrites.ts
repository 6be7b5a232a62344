import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { checkpointName, readActiveGeneration } from '../../projections/runner/generations';

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** The position a projection's active generation has applied, or -1n before its first build. */
export const projectionPosition = async (readModels: ReadModelStore, projection: string): Promise<bigint> => {
  const active = await readActiveGeneration(readModels, projection);
  if (!active) return -1n;
  const checkpoint = await readModels.getCheckpoint(checkpointName(projection, active.generation));
  return checkpoint?.position ?? -1n;
};

/**
 * Read-your-writes: resolves true once every named projection has applied `position`, false after the
 * timeout. It reads the checkpoints from the read-model store, so it works in an API process that does
 * not run the projections.
 */
export const waitForProjections = async (readModels: ReadModelStore, position: bigint, projections: readonly string[], options: WaitOptions = {}): Promise<boolean> => {
  const timeoutMs = options.timeoutMs ?? 5000;
  const pollMs = options.pollMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let pending = [...new Set(projections)];
  for (;;) {
    const positions = await Promise.all(pending.map((name) => projectionPosition(readModels, name)));
    pending = pending.filter((_, i) => positions[i] < position);
    if (pending.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
};

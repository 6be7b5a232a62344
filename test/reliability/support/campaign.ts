import type { EventStore } from '../../../api/infrastructure/eventStore/eventStore';
import { allEvents } from '../../webhooks/harness';

/**
 * The knobs of the reliability campaigns: RELIABILITY_FUZZ_RUNS generated cases per category (the
 * default keeps a file well under a minute on a small machine), RELIABILITY_FUZZ_SEED the fast-check
 * seed, so a failing case replays with the same two values.
 */
export const FUZZ_RUNS = Math.max(1, Number(process.env.RELIABILITY_FUZZ_RUNS ?? 40));
export const FUZZ_SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20260315);

/** fast-check parameters for the category at `index`: its own seed, the campaign's run count (or fewer). */
export const fuzzParameters = (index: number, runs = FUZZ_RUNS): { seed: number; numRuns: number } => ({ seed: FUZZ_SEED + index, numRuns: runs });

/** Nested counters that print as one JSON object: `tally.add('rejected', 'malformed_json')`. */
export class Tally {
  private readonly counts: Record<string, Record<string, number>> = {};

  add(group: string, key: string, by = 1): void {
    const counts = (this.counts[group] ??= {});
    counts[key] = (counts[key] ?? 0) + by;
  }

  group(group: string): Record<string, number> {
    return { ...(this.counts[group] ?? {}) };
  }

  total(group: string): number {
    return Object.values(this.counts[group] ?? {}).reduce((sum, n) => sum + n, 0);
  }
}

/** Sorted by key, so two tallies compare and print the same way. */
export const sorted = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

/** How many events the store holds (every stream, in $all). */
export const eventCount = async (store: EventStore): Promise<number> => (await allEvents(store)).length;

/** The one line a campaign prints: `{"abuse":{...}}`. */
export const report = (summary: Record<string, unknown>): void => {
  console.log(JSON.stringify({ abuse: summary }));
};

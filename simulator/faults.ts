import { FaultsSchema, type FaultKind, type Faults, type FaultsPatch } from './config';
import type { Counters } from './counters';
import type { Rng } from './rng';

/** The fault switches, changeable at runtime; `roll` decides (and counts) one injection. */
export class FaultController {
  private current: Faults;

  constructor(
    initial: Faults,
    private readonly rng: Rng,
    private readonly counters: Counters,
  ) {
    this.current = structuredClone(initial);
  }

  get(): Faults {
    return structuredClone(this.current);
  }

  set(patch: FaultsPatch): Faults {
    const next = structuredClone(this.current) as Record<FaultKind, Record<string, number>>;
    for (const [kind, values] of Object.entries(patch) as [FaultKind, Record<string, number> | undefined][]) {
      if (values) next[kind] = { ...next[kind], ...values };
    }
    this.current = FaultsSchema.parse(next);
    return this.get();
  }

  /** Every switch back to rate 0 (parameters kept). */
  clear(): Faults {
    for (const kind of Object.keys(this.current) as FaultKind[]) this.current[kind].rate = 0;
    return this.get();
  }

  roll(kind: FaultKind): boolean {
    const hit = this.rng.chance(this.current[kind].rate);
    if (hit) this.counters.fault(kind);
    return hit;
  }
}

import type { EventFilter, RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import type { CollectionSpec, ReadModelDocument } from '../infrastructure/readModels/readModelStore';

/**
 * What a projection sees while it applies one event. Documents are addressed by the projection's
 * logical collection names; the runner maps them onto the physical collections of the generation
 * being built (blue/green), or onto memory for time travel.
 */
export interface ProjectionContext {
  /** The event being applied. */
  readonly event: RecordedEvent;
  /** The current document, including changes made earlier in the same batch. */
  get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null>;
  /**
   * Replaces a document with what `change` returns (null deletes it). Applied at most once per event:
   * when the stored document already reflects this event's position or a later one, `change` is not called.
   * `change` may modify `current` in place and return it (the cheap way to grow a large document); the
   * object returned belongs to the runner afterwards, so return a distinct object per document.
   */
  update<T extends ReadModelDocument>(collection: string, id: string, change: (current: T | null) => T | null): Promise<void>;
}

export interface Projection {
  /** Stable name, e.g. 'queue'. */
  readonly name: string;
  /** Bump when the document shapes or the logic change: the runner then rebuilds blue/green. */
  readonly version: number;
  readonly collections: CollectionSpec[];
  /** Only matching events are delivered (checkpoints still advance over the others). */
  readonly filter?: EventFilter;
  apply(context: ProjectionContext): Promise<void> | void;
}

export const defineProjection = (projection: Projection): Projection => {
  const names = new Set<string>();
  for (const c of projection.collections) {
    if (names.has(c.name)) throw new Error(`Projection '${projection.name}' declares collection '${c.name}' twice`);
    names.add(c.name);
  }
  return projection;
};

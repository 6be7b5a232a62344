import type { RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import { AGENT_STREAM_PREFIX, isAgentEvent, type AgentEvent } from '../../api/agents/agent';
import type { CallEvent } from '../../api/calls/callEvents';
import { CALL_STREAM_PREFIX } from '../../api/calls/webhook';
import { CONFIG_STREAM_PREFIX, isConfigEvent, type ConfigEvent } from '../../api/config/config';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';
import type { ProjectionContext } from '../runner/projection';

/** A recorded event seen as the domain event its stream holds (event catalog §2). */
export type DomainEventOf =
  | { stream: 'call'; callId: string; event: CallEvent }
  | { stream: 'agent'; event: AgentEvent }
  | { stream: 'config'; event: ConfigEvent }
  | { stream: 'other' };

export const domainEventOf = (recorded: RecordedEvent): DomainEventOf => {
  const streamId = recorded.streamId;
  const event = { type: recorded.type, data: recorded.data };
  if (streamId.startsWith(CALL_STREAM_PREFIX)) return { stream: 'call', callId: streamId.slice(CALL_STREAM_PREFIX.length), event: event as CallEvent };
  if (streamId.startsWith(AGENT_STREAM_PREFIX) && isAgentEvent(event)) return { stream: 'agent', event: event as AgentEvent };
  if (streamId.startsWith(CONFIG_STREAM_PREFIX) && isConfigEvent(event)) return { stream: 'config', event: event as ConfigEvent };
  return { stream: 'other' };
};

/** The domain time of an event in ms: `data.occurredAt`, else the commit time. */
export const eventTimeMs = (recorded: RecordedEvent): number => {
  const occurredAt = (recorded.data as { occurredAt?: unknown } | null)?.occurredAt;
  const parsed = typeof occurredAt === 'string' ? Date.parse(occurredAt) : Number.NaN;
  return Number.isNaN(parsed) ? recorded.recordedAt.getTime() : parsed;
};

type Change = (current: ReadModelDocument | null) => ReadModelDocument | null;

/**
 * The runner applies one `update` per document per event (the second is skipped by the position
 * guard), so handlers stage every change an event makes here and commit them together: changes to
 * the same document compose, in the order they were staged.
 */
export class EventChanges {
  private readonly staged = new Map<string, { collection: string; id: string; changes: Change[] }>();

  change<T extends ReadModelDocument>(collection: string, id: string, change: (current: T | null) => T | null): void {
    const key = `${collection}\u0000${id}`;
    let entry = this.staged.get(key);
    if (!entry) this.staged.set(key, (entry = { collection, id, changes: [] }));
    entry.changes.push(change as Change);
  }

  async commit(context: Pick<ProjectionContext, 'update'>): Promise<void> {
    for (const { collection, id, changes } of this.staged.values()) {
      await context.update<ReadModelDocument>(collection, id, (current) => changes.reduce<ReadModelDocument | null>((doc, change) => change(doc), current));
    }
    this.staged.clear();
  }
}

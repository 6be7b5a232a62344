import { emptyAgentView } from '../../../projections/agent-idle-time/agentIdleTimeProjection';
import type { AgentView } from '../../../projections/agent-idle-time/agentView';
import { emptyCallHistory } from '../../../projections/call-history/callHistoryProjection';
import type { CallHistoryDoc } from '../../../projections/call-history/callHistoryView';
import type { ReadModelDocument, ReadModelStore } from '../../../projections/infrastructure/readModels/readModelStore';
import type { QueueViewDoc, WaitingCallView } from '../../../projections/queue/queueView';
import { findProjection } from '../../../projections/registry';
import { activateGeneration, ensureGenerationCollections, physicalCollection, readActiveGeneration } from '../../../projections/runner/generations';

/**
 * Read-model documents written straight into a projection's active generation, as the projection
 * would: the API under test only reads them and watches their change feed.
 */
export class ReadModelFixture {
  private position = 1_000_000n;

  constructor(private readonly readModels: ReadModelStore) {}

  /** Makes `generation` the active one of the projection (creating its collections). */
  async activate(projection: string, generation = 1): Promise<void> {
    const definition = findProjection(projection);
    if (!definition) throw new Error(`no projection ${projection}`);
    await ensureGenerationCollections(this.readModels, definition, generation);
    await activateGeneration(this.readModels, projection, { generation, version: definition.version });
  }

  /** Writes documents into the active generation; returns the position they carry. */
  async write(projection: string, collection: string, ...docs: ReadModelDocument[]): Promise<bigint> {
    const active = await readActiveGeneration(this.readModels, projection);
    if (!active) throw new Error(`${projection} has no active generation`);
    const position = ++this.position;
    await this.readModels.write(docs.map((doc) => ({ kind: 'upsert' as const, collection: physicalCollection(projection, active.generation, collection), doc, position })));
    return position;
  }
}

export const waitingCallView = (callId: string, position: number, overrides: Partial<WaitingCallView> = {}): WaitingCallView => ({
  callId,
  entryId: `entry-${callId}`,
  position,
  kind: 'call',
  state: 'waiting',
  priority: 0,
  enqueuedAt: '2026-03-02T10:00:00.000Z',
  queueEnteredAt: '2026-03-02T10:00:00.000Z',
  waitedSeconds: 30,
  estimatedWaitSeconds: 60,
  reason: 'ivr',
  fromQueueId: null,
  targetAgentId: null,
  callbackNumber: null,
  attributes: { language: 'en', department: 'support', skills: [] },
  caller: { number: '+15551230000', name: null },
  waitingReason: 'no agent available',
  offer: null,
  lastAnnouncement: null,
  ...overrides,
});

export const queueDoc = (queueId: string, overrides: Partial<QueueViewDoc> = {}): QueueViewDoc => ({
  _id: queueId,
  queueId,
  configured: true,
  name: `Queue ${queueId}`,
  strategy: 'longest-idle',
  priority: 1,
  serviceLevelThresholdSeconds: 20,
  calls: [],
  waiting: 0,
  ringing: 0,
  callbacks: 0,
  longestWaitSeconds: 0,
  oldestEnqueuedAt: null,
  agents: { serving: 2, loggedIn: 1, available: 1, ready: 1, ringing: 0, onCall: 0, wrapUp: 0, break: 0, offline: 1 },
  ahtSeconds: 180,
  ahtSamples: 0,
  asOf: '2026-03-02T10:00:30.000Z',
  ...overrides,
});

export const agentDoc = (agentId: string, overrides: Partial<AgentView> = {}): AgentView => ({ ...emptyAgentView(agentId), name: agentId, configured: true, ...overrides });

export const callDoc = (callId: string, overrides: Partial<CallHistoryDoc> = {}): CallHistoryDoc => ({
  ...emptyCallHistory(callId),
  direction: 'inbound',
  startedAt: '2026-03-02T10:00:00.000Z',
  from: '+15551230000',
  to: '+15550001111',
  callerNumber: '+15551230000',
  ...overrides,
});

/** A call with `agentId` connected now. */
export const connectedCallDoc = (callId: string, agentId: string, overrides: Partial<CallHistoryDoc> = {}): CallHistoryDoc =>
  callDoc(callId, {
    answeredAt: '2026-03-02T10:00:40.000Z',
    answeredBy: agentId,
    agentId,
    agentIds: [agentId],
    queueId: 'support',
    connections: [
      { agentId, via: 'queue', queueId: 'support', connectedAt: '2026-03-02T10:00:40.000Z', disconnectedAt: null, reason: null, talkSeconds: null, holdSeconds: 0, heldSince: null, wrapUpSeconds: null },
    ],
    ...overrides,
  });

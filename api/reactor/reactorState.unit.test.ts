import { callScenario } from '../calls/callScenario';
import { at, offer, queuedInSales, SESSION } from '../calls/callTestKit';
import { defaultConfiguration, defaultConfigurationEvents } from '../config/defaultConfiguration';
import type { RecordedEvent } from '../infrastructure/eventStore/eventStore';
import type { ReadModelDocument } from '../../projections/infrastructure/readModels/readModelStore';
import { ReactorState, type StateListener } from './reactorState';

const quiet: StateListener = {
  timerAdded: () => undefined,
  timerRemoved: () => undefined,
  commandRequested: () => undefined,
  commandSettled: () => undefined,
  downloadRequested: () => undefined,
  downloadSettled: () => undefined,
};

/** Recorded events of a seeded contact center with one call queued in sales and offered to alice. */
const history = (): RecordedEvent[] => {
  const call = callScenario(defaultConfiguration(), SESSION);
  queuedInSales(call);
  offer(call, 'offer-1', ['alice'], 20);
  const agent = [
    { type: 'AgentLoggedIn', data: { agentId: 'alice', occurredAt: at(-60), status: 'Available', breakReason: null, actor: 'alice' } },
    { type: 'AgentDeviceRegistered', data: { agentId: 'alice', occurredAt: at(-60), credentialId: 'c', sipUsername: 'alice-sip', actor: 'alice' } },
  ];
  const streams: Array<[string, Array<{ type: string; data: unknown }>]> = [
    ...defaultConfigurationEvents(at(-3600)).map(({ streamId, events }): [string, Array<{ type: string; data: unknown }>] => [streamId, events]),
    ['agent-alice', agent],
    [`call-${SESSION}`, call.history],
  ];
  let position = 0n;
  return streams.flatMap(([streamId, events]) =>
    events.map((e, i) => ({ id: `e${++position}`, streamId, type: e.type, data: e.data, revision: BigInt(i), position, metadata: {}, recordedAt: new Date() })),
  );
};

/** Applies a snapshot write to an in-memory collection, as the read-model store would. */
const applyWrite = (docs: Map<string, ReadModelDocument>, state: ReactorState, checkpoint: bigint): void => {
  const write = state.snapshotWrite(checkpoint, 1);
  for (const op of write.ops) {
    if (op.kind === 'upsert') docs.set(op.doc._id, op.doc);
    else docs.delete(op.id);
  }
  write.saved();
};

describe('the reactor state', () => {
  it('saves only what changed and comes back identical from its documents', () => {
    const events = history();
    const state = new ReactorState(quiet);
    const docs = new Map<string, ReadModelDocument>();
    const last = events.length - 1;
    for (const e of events.slice(0, last)) state.fold(e);
    applyWrite(docs, state, BigInt(last));
    // The dial of the offer: its pending command, the agent's device marked busy, and the meta document.
    state.fold(events[last]);
    const second = state.snapshotWrite(BigInt(events.length), 1);
    expect(second.ops.map((op) => (op.kind === 'upsert' ? op.doc._id : op.id)).map((id) => id.split(':')[0]).sort()).toEqual(['cmd', 'leg', 'meta']);
    second.failed();
    applyWrite(docs, state, BigInt(events.length));

    const restored = new ReactorState(quiet);
    restored.load([...docs.values()]);
    expect(restored.view).toEqual(state.view);
    expect(restored.foldedThrough).toBe(state.foldedThrough);
    expect([...restored.pendingCommands.keys()].sort()).toEqual([...state.pendingCommands.keys()].sort());
    expect([...restored.timers.keys()].sort()).toEqual([...state.timers.keys()].sort());
    expect([...restored.agentLegs]).toEqual([...state.agentLegs]);
    expect(restored.pendingCommands.size).toBeGreaterThan(0);
    expect(restored.agentsWithLiveLegs(Date.parse(at(21)))).toEqual(new Set(['alice']));
  });

  it('drops a call’s timers when it ends, and a finished timer from the next save', () => {
    const events = history();
    const state = new ReactorState(quiet);
    for (const e of events) state.fold(e);
    const timers = [...state.timers.values()].filter((t) => t.streamId === `call-${SESSION}`);
    expect(timers.map((t) => t.command.type).sort()).toEqual(['CheckQueueTimers', 'CheckQueueTimers', 'ExpireOffer']);
    state.fold({
      id: 'end',
      streamId: `call-${SESSION}`,
      type: 'CallEnded',
      revision: 99n,
      position: BigInt(events.length + 1),
      metadata: {},
      recordedAt: new Date(),
      data: { callId: SESSION, occurredAt: at(40), causeId: 'h', outcome: 'abandoned', hangupCause: null, hangupSource: null, startedAt: at(0), durationSeconds: 40, queueId: 'sales', agentId: null },
    });
    expect([...state.timers.values()].filter((t) => t.streamId === `call-${SESSION}`)).toEqual([]);
    expect(state.view.waiting[SESSION]).toBeUndefined();
  });
});

describe('pending call backs', () => {
  const recorded = (position: number, streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: `cb${position}`,
    streamId,
    type,
    data,
    revision: BigInt(position),
    position: BigInt(position),
    metadata: {},
    recordedAt: new Date(),
  });

  it('outlive a restart in the snapshot, and are gone once the outbound call names them', () => {
    const state = new ReactorState(quiet);
    const docs = new Map<string, ReadModelDocument>();
    state.fold(recorded(1, 'call-earlier', 'CallBackStarted', { callId: 'earlier', occurredAt: at(0), causeId: 'c', agentId: 'alice', number: '+1 (555) 020-0105' }));
    applyWrite(docs, state, 1n);

    const restored = new ReactorState(quiet);
    restored.load([...docs.values()]);
    expect(restored.callBacks.get('alice')).toEqual({ callId: 'earlier', number: '+15550200105', at: Date.parse(at(0)) });

    restored.fold(
      recorded(2, 'call-outbound', 'OutboundCallStarted', {
        callId: 'outbound',
        occurredAt: at(30),
        causeId: 'w',
        agentId: 'alice',
        agentCallControlId: 'v3:a',
        destination: '+15550200105',
        callerIdNumber: '+15550100010',
        queueId: 'sales',
        record: false,
        callBackOf: 'earlier',
      }),
    );
    expect(restored.callBacks.has('alice')).toBe(false);
    applyWrite(docs, restored, 2n);
    expect(docs.has('callback:alice')).toBe(false);
  });
});

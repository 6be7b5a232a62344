import pino from 'pino';
import type { CallEvent } from '../calls/callEvents';
import { callScenario, eventOf, type CallScenario } from '../calls/callScenario';
import { at, CALLER, connectedTo, customerHangsUp, offer, onAgent, queuedInSales, SESSION } from '../calls/callTestKit';
import { timersFor } from '../calls/timers';
import { callAnswered, callHangup, callInitiated } from '../calls/webhookFixtures';
import type { ContactCenterConfig } from '../config/config';
import { defaultConfiguration } from '../config/defaultConfiguration';
import { fold, type CommandMetadata } from '../core/decider';
import { CallstreamError, UnavailableError, WrongExpectedVersionError } from '../core/errors';
import type { AppendOptions, EventData, EventStore, ReadStreamOptions, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { RecordingStore } from '../recordings/recordingStore';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { systemClock } from '../reactor/clock';
import { Reactor } from '../reactor/reactor';
import { agentStreamId, type AgentEvent, type AgentState } from './agent';
import { agentDecider, decideAgent, reservationRefusal, type AgentCommand } from './agentDecider';
import { agentFollowUps } from './followUps';

/**
 * Paths that could leave an agent stuck (in an activity nothing will ever end, or idle and offerable while on
 * a live call), and that must not. Call events come from the real call decider; the agent commands they imply (followUps) are
 * handled one at a time the way the reactor handles them: a refused decision is logged and dropped.
 */
const config: ContactCenterConfig = defaultConfiguration();
const OUT = 'session-out';
const ALICE_DEVICE = 'v3:alice-device';

const ready = (agentId: string): AgentEvent[] => [
  { type: 'AgentLoggedIn', data: { agentId, occurredAt: at(-60), status: 'Available', breakReason: null, actor: agentId } },
  { type: 'AgentDeviceRegistered', data: { agentId, occurredAt: at(-60), credentialId: `cred-${agentId}`, sipUsername: `${agentId}-sip`, actor: agentId } },
];

const meta = (seconds: number, commandId: string, actor = 'reactor'): CommandMetadata => ({ now: at(seconds), commandId, actor });

const reserve = (agentId: string, offerId: string, callId: string, seconds: number): AgentCommand => ({
  type: 'ReserveAgent',
  data: { agentId, offerId, callId, queueId: 'sales', purpose: 'queue', expiresAt: at(seconds + 35) },
  metadata: meta(seconds, `reserve-${offerId}-${agentId}`),
});

/** One agent's stream, fed the way the reactor feeds it. */
class AgentStream {
  readonly events: AgentEvent[];
  readonly refused: string[] = [];

  constructor(readonly agentId: string, history: AgentEvent[] = ready(agentId)) {
    this.events = [...history];
  }

  state(): AgentState {
    return fold(agentDecider, this.events);
  }

  handle(command: AgentCommand): AgentEvent[] {
    try {
      const decided = decideAgent(command, this.state());
      this.events.push(...decided);
      return decided;
    } catch (error) {
      // Reactor.withRetry: a refused decision (any CallstreamError but unavailable/concurrency) is dropped.
      if (!(error instanceof CallstreamError)) throw error;
      this.refused.push(`${command.type}: ${error.message}`);
      return [];
    }
  }

  /** The follow-ups of these call events addressed to this agent, in order. */
  follow(events: readonly CallEvent[]): void {
    events.forEach((event, i) => {
      for (const f of agentFollowUps(event, `${event.type}-${event.data.occurredAt}-${i}`, config)) {
        if (f.command.data.agentId === this.agentId) this.handle(f.command);
      }
    });
  }

  /** Fires the agent timers that the stream's events set (ExpireReservation, ExpireWrapUp) that are due by `seconds`. */
  fireTimersUntil(seconds: number): void {
    for (const timer of this.events.flatMap((e) => timersFor(e))) {
      if (timer.kind !== 'agent' || timer.at > at(seconds)) continue;
      this.handle({ ...timer.command, metadata: { now: timer.at, commandId: `timer-${timer.at}`, actor: 'reactor' } } as AgentCommand);
    }
  }
}

/** alice dials a number from her softphone at `seconds`: the outbound call as the call decider records it. */
const aliceDialsOut = (seconds: number): { call: CallScenario; started: CallEvent[] } => {
  const call = callScenario(config, OUT);
  const started = call.webhook(
    callInitiated({ session: OUT, callControlId: ALICE_DEVICE, clientState: null, id: `out-${seconds}`, at: at(seconds), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }),
    'alice',
  );
  eventOf(started, 'OutboundCallStarted');
  return { call, started };
};

describe('an outbound call is recorded on the agent stream whatever it holds', () => {
  it('placed while the agent is being reserved: the reservation is withdrawn and the agent is on the outbound call', () => {
    const alice = new AgentStream('alice');
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    // the routing pass reserves alice for a waiting call just as she dials out from her softphone
    alice.handle(reserve('alice', 'offer-1', SESSION, 20));
    const { started } = aliceDialsOut(20);
    alice.follow(started);
    // the offer then rings a device that is busy on the outbound call: declined (user_busy)
    const offered = offer(call, 'offer-1', ['alice'], 20);
    call.webhook(callInitiated({ ...onAgent('alice', 'offer-1', 21), from: CALLER, to: 'sip:alice-sip@sip.telnyx.com', direction: 'outgoing' }));
    const busy = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 22), cause: 'user_busy', source: 'callee' }));
    alice.follow([...offered, ...busy]);

    expect(alice.state().activity).toMatchObject({ kind: 'OnCall', callId: OUT });
    expect(reservationRefusal(alice.state())).toBe(`the agent is on call ${OUT}`);
    expect(alice.refused).toEqual([]);
  });

  it('recorded before the end of the previous call (two call streams, no order between them): the agent is on the outbound call', () => {
    const alice = new AgentStream('alice');
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    alice.handle(reserve('alice', 'offer-1', SESSION, 20));
    connectedTo(call, 'alice', 'offer-1', 20);
    alice.follow(call.history);
    expect(alice.state().activity).toMatchObject({ kind: 'OnCall', callId: SESSION });

    // alice hangs up on the caller at 100 and dials out at 101; the outbound call's stream is decided first
    const hungUp = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 100), cause: 'normal_clearing', source: 'callee' }));
    const { started } = aliceDialsOut(101);
    alice.follow(started);
    alice.follow(hungUp);
    alice.fireTimersUntil(200); // the wrap-up of the first call runs out

    expect(alice.state().activity).toMatchObject({ kind: 'OnCall', callId: OUT });
    expect(alice.refused).toEqual([]);
  });

  it('placed by a logged-out agent (device still registered): logging in mid-call does not make the agent offerable', () => {
    const alice = new AgentStream('alice');
    alice.handle({ type: 'ChangeStatus', data: { agentId: 'alice', status: 'Offline', reason: 'end of shift' }, metadata: meta(0, 'sam-logs-alice-out', 'sam') });
    // the call decider does not know agent status: the call is placed and dialled
    const { started } = aliceDialsOut(10);
    alice.follow(started);
    alice.handle({ type: 'LogIn', data: { agentId: 'alice' }, metadata: meta(30, 'alice-logs-in', 'alice') });

    expect(reservationRefusal(alice.state())).toBe(`the agent is on call ${OUT}`);
    expect(alice.refused).toEqual([]);
  });
});

/** Each path ends with every agent free (or on the call they are really on). */
describe('paths that do not leave an agent stuck', () => {
  const talkingToAlice = (alice: AgentStream): CallScenario => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    alice.handle(reserve('alice', 'offer-1', SESSION, 20));
    connectedTo(call, 'alice', 'offer-1', 20);
    alice.follow(call.history);
    return call;
  };
  const consultErin = (call: CallScenario, erin: AgentStream, seconds: number): void => {
    const requested = call.command({ type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'erin' } }, metadata: meta(seconds, 'warm', 'alice') });
    const transferId = eventOf(requested, 'CallTransferRequested').data.transferId;
    erin.handle({ type: 'ReserveAgent', data: { agentId: 'erin', offerId: 'consult-1', callId: SESSION, queueId: 'sales', purpose: 'consult', expiresAt: at(seconds + 35) }, metadata: meta(seconds, 'reserve-erin') });
    call.command({ type: 'OfferCall', data: { offerId: 'consult-1', purpose: 'consult', strategy: 'targeted', agents: [{ agentId: 'erin', sipUsername: 'erin-sip' }], transferId }, metadata: meta(seconds + 1, 'offer-consult') });
  };

  it('warm transfer cancelled after the consulted agent answered: both wrap up and are free; completed: the caller hanging up ends her call', () => {
    for (const outcome of ['cancel', 'complete'] as const) {
      const alice = new AgentStream('alice');
      const erin = new AgentStream('erin');
      const call = talkingToAlice(alice);
      const from = call.history.length;
      consultErin(call, erin, 60);
      call.webhook(callAnswered(onAgent('erin', 'consult-1', 65)));
      if (outcome === 'cancel') call.command({ type: 'CancelTransfer', data: { agentId: 'alice', reason: 'wrong team' }, metadata: meta(80, 'cancel', 'alice') });
      else call.command({ type: 'CompleteTransfer', data: { agentId: 'alice' }, metadata: meta(80, 'complete', 'alice') });
      customerHangsUp(call, 200);
      const events = call.history.slice(from);
      alice.follow(events);
      erin.follow(events);
      alice.fireTimersUntil(400);
      erin.fireTimersUntil(400);
      expect([outcome, alice.state().activity.kind, erin.state().activity.kind, alice.refused, erin.refused]).toEqual([outcome, 'Idle', 'Idle', [], []]);
    }
  });

  it('the caller hangs up while the consulted agent rings: her reservation is released at once', () => {
    const alice = new AgentStream('alice');
    const erin = new AgentStream('erin');
    const call = talkingToAlice(alice);
    const from = call.history.length;
    consultErin(call, erin, 60);
    call.webhook(callInitiated({ ...onAgent('erin', 'consult-1', 62), from: CALLER, to: 'sip:erin-sip@sip.telnyx.com', direction: 'outgoing' }));
    customerHangsUp(call, 63);
    erin.follow(call.history.slice(from));
    alice.follow(call.history.slice(from));
    expect(erin.state().activity.kind).toBe('Idle');
    expect(alice.state().activity).toMatchObject({ kind: 'WrapUp', callId: SESSION });
  });

  it('a callback the caller does not answer, after the agent answered: the agent is freed through wrap-up', () => {
    const alice = new AgentStream('alice');
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    call.command({ type: 'RequestCallback', data: {}, metadata: meta(40, 'cb-api', 'system') });
    customerHangsUp(call, 45);
    alice.handle({ type: 'ReserveAgent', data: { agentId: 'alice', offerId: 'cb-offer', callId: SESSION, queueId: 'sales', purpose: 'callback', expiresAt: at(95) }, metadata: meta(60, 'reserve-cb') });
    const from = call.history.length;
    call.command({ type: 'OfferCall', data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: meta(60, 'o') });
    call.webhook(callAnswered({ id: 'a', at: at(62), session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent', agentId: 'alice', offerId: 'cb-offer' } }));
    const calledBack = { at: at(63), session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } };
    call.webhook(callHangup({ ...calledBack, id: 'c1', at: at(93), cause: 'timeout', source: 'unknown' }));
    alice.follow(call.history.slice(from));
    expect(alice.state().activity).toMatchObject({ kind: 'WrapUp', callId: SESSION });
    alice.fireTimersUntil(200);
    expect(alice.state().activity.kind).toBe('Idle');
  });

  it('an answer after the reservation lapsed is recorded, and a late release of that offer changes nothing', () => {
    const alice = new AgentStream('alice');
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    alice.handle(reserve('alice', 'offer-1', SESSION, 20));
    alice.fireTimersUntil(60); // the reservation expires first (the reactor behind on the call stream)
    expect(alice.state().activity.kind).toBe('Idle');
    connectedTo(call, 'alice', 'offer-1', 20);
    alice.follow(call.history);
    alice.handle({ type: 'ReleaseReservation', data: { agentId: 'alice', offerId: 'offer-1', reason: 'cancelled' }, metadata: meta(61, 'late-release') });
    expect(alice.state().activity).toMatchObject({ kind: 'OnCall', callId: SESSION });
    alice.follow(customerHangsUp(call, 100));
    expect(alice.state().activity).toMatchObject({ kind: 'WrapUp', callId: SESSION });
  });

  it('a supervisor changing status during wrap-up: Break keeps the wrap-up, Offline completes it; back in, nothing is left to expire', () => {
    const alice = new AgentStream('alice');
    const call = talkingToAlice(alice);
    alice.follow(customerHangsUp(call, 100));
    alice.handle({ type: 'ChangeStatus', data: { agentId: 'alice', status: 'Break', reason: 'coaching' }, metadata: meta(101, 'sam-break', 'sam') });
    expect(alice.state()).toMatchObject({ status: 'Break', activity: { kind: 'WrapUp' } });
    alice.handle({ type: 'ChangeStatus', data: { agentId: 'alice', status: 'Offline' }, metadata: meta(102, 'sam-off', 'sam') });
    expect(alice.state()).toMatchObject({ status: 'Offline', activity: { kind: 'Idle' } });
    alice.handle({ type: 'LogIn', data: { agentId: 'alice' }, metadata: meta(103, 'back', 'alice') });
    alice.fireTimersUntil(400);
    expect(alice.state()).toMatchObject({ status: 'Available', activity: { kind: 'Idle' } });
    expect(alice.refused).toEqual([]);
  });
});

//////////////////////////////////////////// The reactor's retry reorders one agent stream's commands

/** An in-memory event store whose next `failAppends` appends fail as unavailable (a store blip). */
class BlipStore implements EventStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  private position = -1n;
  failAppends = 0;

  async append(streamId: string, events: EventData[], options?: AppendOptions) {
    if (this.failAppends > 0) {
      this.failAppends -= 1;
      throw new UnavailableError('store blip');
    }
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? ('no_stream' as const) : BigInt(stream.length - 1);
    const expected = options?.expectedRevision ?? 'any';
    if (expected !== 'any' && expected !== current) throw new WrongExpectedVersionError(streamId, expected, current);
    for (const e of events) {
      stream.push({ id: e.id, streamId, type: e.type, data: e.data, metadata: e.metadata ?? {}, revision: BigInt(stream.length), position: ++this.position, recordedAt: new Date() });
    }
    this.streams.set(streamId, stream);
    return { nextExpectedRevision: BigInt(stream.length - 1), position: this.position };
  }

  async readStream(streamId: string, options?: ReadStreamOptions) {
    const from = options?.fromRevision;
    const stream = this.streams.get(streamId) ?? [];
    return typeof from === 'bigint' ? stream.filter((e) => e.revision >= from) : [...stream];
  }

  async streamRevision(streamId: string) {
    const stream = this.streams.get(streamId) ?? [];
    return stream.length === 0 ? ('no_stream' as const) : BigInt(stream.length - 1);
  }

  async readAll() {
    return [];
  }

  async headPosition() {
    return this.position;
  }

  subscribeToAll(): never {
    throw new Error('not used');
  }

  async close() {}
}

/** alice, reserved for offer-1, answers; the caller hangs up a second later. The reactor reacts to the OfferAccepted and the AgentDisconnected of the call stream, in $all order; `blip` makes the first agent append fail as unavailable. */
const reactorFollowsAShortCall = async (blip: boolean): Promise<AgentEvent[]> => {
  const store = new BlipStore();
  await store.append(agentStreamId('alice'), [
    ...ready('alice').map((e, i) => ({ id: `seed-${i}`, type: e.type, data: e.data })),
    { id: 'seed-r', type: 'AgentReserved', data: { agentId: 'alice', occurredAt: at(20), offerId: 'offer-1', callId: SESSION, queueId: 'sales', purpose: 'queue', expiresAt: at(55) } },
  ]);
  const reactor = new Reactor({
    eventStore: store,
    readModels: {} as ReadModelStore,
    telnyx: {} as TelnyxPort,
    recordings: {} as RecordingStore,
    clock: systemClock(),
    logger: pino({ level: 'silent' }),
  });
  // as when it holds the lease and has caught up
  const inside = reactor as unknown as { running: boolean; leaseValidUntil: number; react(event: RecordedEvent): Promise<unknown> | undefined };
  inside.running = true;
  inside.leaseValidUntil = Number.POSITIVE_INFINITY;

  const call = callScenario(config, SESSION);
  queuedInSales(call);
  offer(call, 'offer-1', ['alice'], 20);
  const accepted = call.webhook(callAnswered(onAgent('alice', 'offer-1', 24)));
  const ended = customerHangsUp(call, 25);
  const recorded = (event: CallEvent, n: number): RecordedEvent => ({ id: `call-event-${n}`, streamId: `call-${SESSION}`, type: event.type, data: event.data, revision: BigInt(n), position: BigInt(1000 + n), metadata: {}, recordedAt: new Date() });

  store.failAppends = blip ? 1 : 0;
  const first = inside.react(recorded(eventOf(accepted, 'OfferAccepted'), 1));
  const second = inside.react(recorded(eventOf(ended, 'AgentDisconnected'), 2));
  await Promise.all([first, second]);
  return (await store.readStream(agentStreamId('alice'))).map((e) => ({ type: e.type, data: e.data }) as AgentEvent);
};

describe("the reactor's retries", () => {
  it('without a store blip, the short call starts and ends on the agent stream', async () => {
    const events = await reactorFollowsAShortCall(false);
    expect(events.map((e) => e.type).slice(3)).toEqual(['AgentCallStarted', 'AgentCallEnded']);
    expect(fold(agentDecider, events).activity.kind).toBe('Idle');
  });

  it('a StartCall retried after a store blip still lands before the EndCall of the same call', async () => {
    const events = await reactorFollowsAShortCall(true);
    // follow-ups of one agent stream wait for each other, retries included: otherwise EndCall would find alice still
    // reserved (nothing to end), and the late StartCall would leave her on a call that is over, with no timer to end it
    expect(fold(agentDecider, events).activity.kind).not.toBe('OnCall');
    expect(events.map((e) => e.type).slice(3)).toEqual(['AgentCallStarted', 'AgentCallEnded']);
  });
});

describe('a follow-up repeated after a restart', () => {
  it('a call start replayed after the call ended starts nothing; the same call offered again starts again', () => {
    const alice = new AgentStream('alice');
    alice.handle(reserve('alice', 'offer-1', SESSION, 20));
    const start = (offerId: string, seconds: number): AgentCommand => ({
      type: 'StartCall',
      data: { agentId: 'alice', callId: SESSION, offerId, direction: 'inbound' },
      metadata: meta(seconds, `start-${offerId}-${seconds}`),
    });
    alice.handle(start('offer-1', 24));
    alice.handle({ type: 'EndCall', data: { agentId: 'alice', callId: SESSION, reason: 'customer-hung-up', wrapUpSeconds: 0 }, metadata: meta(60, 'end-1') });
    expect(alice.handle(start('offer-1', 61))).toEqual([]);
    expect(alice.state()).toMatchObject({ activity: { kind: 'Idle' }, callsHandled: 1 });
    // transferred back to her queue and offered to her again: a new offer, a new start
    alice.handle(reserve('alice', 'offer-2', SESSION, 70));
    expect(alice.handle(start('offer-2', 72)).map((e) => e.type)).toEqual(['AgentCallStarted']);
  });
});

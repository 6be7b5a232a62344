import { agentStreamId, evolveAgent, initialAgentState, type AgentState } from '../api/agents/agent';
import { decideAgent, type AgentCommand } from '../api/agents/agentDecider';
import { agentFollowUps } from '../api/agents/followUps';
import type { CallCommand } from '../api/calls/callCommands';
import type { CallEvent } from '../api/calls/callEvents';
import { callScenario, eventOf, telnyxRequests, type CallScenario } from '../api/calls/callScenario';
import type { CallState } from '../api/calls/callState';
import { at, CALLER, customerHangsUp, onAgent, onCustomer, queuedInSales, SESSION } from '../api/calls/callTestKit';
import { callAnswered, callEnqueued, callHangup, callInitiated, dtmfReceived, gatherEnded, recordingSaved, speakEnded } from '../api/calls/webhookFixtures';
import { defaultConfiguration, defaultConfigurationEvents } from '../api/config/defaultConfiguration';
import type { RecordedEvent } from '../api/infrastructure/eventStore/eventStore';
import { memoryDocs, projectInMemory, recorded } from '../test/projections/support/harness';
import { agentIdleTimeProjection, AGENT_COLLECTIONS } from './agent-idle-time/agentIdleTimeProjection';
import type { AgentView } from './agent-idle-time/agentView';
import { callHistoryProjection, CALL_HISTORY_COLLECTIONS } from './call-history/callHistoryProjection';
import type { CallHistoryDoc } from './call-history/callHistoryView';
import { queueProjection, QUEUE_COLLECTIONS } from './queue/queueProjection';
import type { QueueViewDoc } from './queue/queueView';
import { reportsProjection, REPORT_COLLECTIONS } from './reports/reportsProjection';
import type { AgentDayDoc, QueueDayDoc } from './reports/reportViews';

/**
 * The read models against the event sequences of the deciders' less common paths
 * (callbacks offered during the confirmation, warm transfers whose agent left, refused transfers, voicemail
 * after a recorded conversation, console hang-ups of callbacks, outbound calls superseding an agent's
 * activity). Each call is driven through the real call decider; the agents' streams through the real agent
 * decider, with the reactor's follow-ups appended after each decision, as the reactor does.
 */

const config = defaultConfiguration();

interface Snapshot {
  length: number;
  what: string;
  calls: Map<string, CallState>;
  agents: Map<string, AgentState>;
}

class World {
  readonly log: RecordedEvent[] = [];
  readonly call: CallScenario;
  readonly snapshots: Snapshot[] = [];
  private readonly tracked: Array<{ scenario: CallScenario; synced: number }> = [];
  private readonly revisions = new Map<string, number>();
  private readonly agents = new Map<string, AgentState>();
  private seq = 0;

  constructor() {
    for (const { streamId, events } of defaultConfigurationEvents(at(-7200))) for (const e of events) this.append(streamId, e);
    this.call = this.another(SESSION);
  }

  /** A call of the center (its events go to the same log). */
  another(callId: string): CallScenario {
    const scenario = callScenario(config, callId);
    this.tracked.push({ scenario, synced: 0 });
    return scenario;
  }

  private append(streamId: string, event: { type: string; data: unknown }): RecordedEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const r = recorded(streamId, this.log.length + 1, revision, event);
    this.log.push(r);
    return r;
  }

  agent(command: Omit<AgentCommand, 'metadata'>, seconds: number): void {
    this.agentCommand({ ...command, metadata: { now: at(seconds), commandId: `agent-${++this.seq}`, actor: 'test' } } as AgentCommand);
  }

  private agentCommand(command: AgentCommand): void {
    const state = this.agents.get(command.data.agentId) ?? initialAgentState();
    let events;
    try {
      events = decideAgent(command, state);
    } catch {
      return; // refused, as the reactor would see it
    }
    this.agents.set(command.data.agentId, events.reduce(evolveAgent, state));
    for (const e of events) this.append(agentStreamId(command.data.agentId), e);
  }

  /** Appends what the call deciders decided since the last sync; then the agent follow-ups of those events. */
  sync(): CallEvent[] {
    const all: CallEvent[] = [];
    for (const t of this.tracked) {
      const fresh = t.scenario.history.slice(t.synced);
      t.synced = t.scenario.history.length;
      const appended = fresh.map((event) => [event, this.append(`call-${t.scenario.callId}`, event)] as const);
      for (const [event, r] of appended) for (const followUp of agentFollowUps(event, r.id, config)) this.agentCommand(followUp.command);
      all.push(...fresh);
    }
    if (all.length > 0) {
      const what = all.filter((e) => !e.type.startsWith('Telnyx')).map((e) => e.type).join(',') || 'a webhook';
      this.snapshots.push({ length: this.log.length, what, calls: new Map(this.tracked.map((t) => [t.scenario.callId, t.scenario.state()])), agents: new Map(this.agents) });
    }
    return all;
  }

  webhook(...args: Parameters<CallScenario['webhook']>): CallEvent[] {
    this.call.webhook(...args);
    return this.sync();
  }

  command(command: Omit<CallCommand, 'metadata'>, seconds: number, actor = 'reactor', call = this.call): CallEvent[] {
    call.command({ ...command, metadata: call.meta(at(seconds), `${command.type}-${++this.seq}`, actor) } as CallCommand);
    return this.sync();
  }

  loggedIn(...agentIds: string[]): this {
    for (const agentId of agentIds) {
      this.agent({ type: 'LogIn', data: { agentId } }, -600);
      this.agent({ type: 'RegisterDevice', data: { agentId, credentialId: `cred-${agentId}`, sipUsername: `${agentId}-sip` } }, -600);
    }
    return this;
  }

  /** The router's part: reserves the agents, then offers them the call. */
  offer(offerId: string, agentIds: string[], seconds: number, purpose: 'queue' | 'callback' | 'consult' = 'queue', transferId?: string, call = this.call): CallEvent[] {
    const state = call.state();
    const queueId = state.status !== 'New' ? (state.entry?.queueId ?? null) : null;
    for (const agentId of agentIds) {
      this.agent({ type: 'ReserveAgent', data: { agentId, offerId, callId: call.callId, queueId, purpose, expiresAt: at(seconds + 30) } }, seconds);
    }
    const agents = agentIds.map((agentId) => ({ agentId, sipUsername: `${agentId}-sip` }));
    return this.command({ type: 'OfferCall', data: { offerId, purpose, strategy: purpose === 'consult' ? 'targeted' : 'longest-idle', agents, ...(transferId ? { transferId } : {}) } }, seconds, 'reactor', call);
  }

  async project(length = this.log.length) {
    const log = this.log.slice(0, length);
    const [queue, agents, history, reports] = await Promise.all([
      projectInMemory(queueProjection(), log),
      projectInMemory(agentIdleTimeProjection(), log),
      projectInMemory(callHistoryProjection(), log),
      projectInMemory(reportsProjection(), log),
    ]);
    return {
      queues: memoryDocs<QueueViewDoc>(queue, QUEUE_COLLECTIONS.queues),
      agents: memoryDocs<AgentView>(agents, AGENT_COLLECTIONS.agents),
      calls: memoryDocs<CallHistoryDoc>(history, CALL_HISTORY_COLLECTIONS.calls),
      queueDays: memoryDocs<QueueDayDoc>(reports, REPORT_COLLECTIONS.queueDays),
      agentDays: memoryDocs<AgentDayDoc>(reports, REPORT_COLLECTIONS.agentDays),
    };
  }

  /**
   * After every decision: the read models against the deciders' own states. A call is listed once, in the
   * queue it waits in, as the kind it is, ringing exactly while agents ring; agents show the decider's
   * activity; the history's open connections, offers, supervision and outcome are the call's.
   */
  async mismatches(): Promise<string[]> {
    const problems: string[] = [];
    for (const snap of this.snapshots) {
      const p = await this.project(snap.length);
      const say = (text: string) => problems.push(`after ${snap.what}: ${text}`);
      for (const [callId, st] of snap.calls) {
        if (st.status === 'New') continue;
        const listed = [...p.queues.values()].flatMap((q) => q.calls.filter((c) => c.callId === callId).map((c) => ({ ...c, queueId: q.queueId })));
        const waits = st.status !== 'Ended' && st.entry?.waiting === true;
        if (listed.length > 1) say(`${callId} listed ${listed.length} times`);
        if (waits !== (listed.length > 0)) say(`${callId} listed=${listed.length > 0} while ${st.status}, waiting=${st.entry?.waiting}`);
        if (waits && listed.length === 1) {
          const l = listed[0];
          if (l.queueId !== st.entry?.queueId || l.kind !== st.entry?.kind) say(`${callId} listed as ${l.kind} in ${l.queueId}`);
          const ringing = Object.values(st.offers).filter((o) => o.open && o.purpose !== 'consult').flatMap((o) => o.agents.filter((a) => a.outcome === 'ringing').map((a) => a.agentId));
          if ((l.state === 'ringing') !== ringing.length > 0 || [...(l.offer?.agentIds ?? [])].sort().join() !== ringing.sort().join()) say(`${callId} ${l.state} to ${l.offer?.agentIds} vs ${ringing}`);
        }
        const doc = p.calls.get(callId);
        if (!doc) continue;
        const open = doc.connections.filter((c) => c.disconnectedAt === null);
        const onCall = st.status === 'Ended' ? [] : Object.keys(st.agentsOnCall);
        if (open.map((c) => c.agentId).sort().join() !== onCall.sort().join()) say(`${callId} history connected ${open.map((c) => c.agentId)} vs ${onCall}`);
        if (doc.agentIds.join() !== st.handledBy.join()) say(`${callId} history agents ${doc.agentIds} vs ${st.handledBy}`);
        for (const o of Object.values(st.offers)) {
          for (const a of o.agents) {
            const seen = doc.offers.find((x) => x.offerId === o.offerId)?.agents.find((x) => x.agentId === a.agentId)?.outcome;
            if (seen !== a.outcome) say(`${callId} offer ${o.offerId} to ${a.agentId}: ${seen} vs ${a.outcome}`);
          }
        }
        const supervising = st.status === 'Ended' ? [] : Object.keys(st.supervisors);
        if (doc.supervision.filter((x) => x.endedAt === null).map((x) => x.supervisorId).sort().join() !== supervising.sort().join()) say(`${callId} supervision`);
        if ((doc.voicemail === null) !== (st.voicemail === null)) say(`${callId} voicemail`);
        if ((doc.status === 'ended') !== (st.status === 'Ended') || (st.status === 'Ended' && doc.endOutcome !== st.outcome)) say(`${callId} ${doc.status}/${doc.endOutcome} vs ${st.status}`);
        if (st.status === 'Connected' && !st.transfer) {
          for (const c of open) if ((c.heldSince !== null) !== st.held) say(`${callId} history shows ${c.agentId} held=${c.heldSince !== null}, call held=${st.held}`);
          for (const agentId of onCall) {
            const current = p.agents.get(agentId)?.currentCall;
            if (current?.callId === callId && current.held !== st.held) say(`${agentId} shown held=${current.held}, call held=${st.held}`);
          }
        }
      }
      for (const [agentId, state] of snap.agents) {
        const view = p.agents.get(agentId);
        if (!view) continue;
        const a = state.activity;
        if (JSON.stringify(view.activity) !== JSON.stringify(a) || view.status !== state.status) say(`${agentId} view ${view.state} vs ${state.status}/${a.kind}`);
        if (view.idleSince !== state.idleSince || view.callsHandled !== state.callsHandled || view.missedInARow !== state.missedInARow) say(`${agentId} counters`);
        if ((view.currentCall?.callId ?? null) !== (a.kind === 'OnCall' ? a.callId : null)) say(`${agentId} on ${view.currentCall?.callId}`);
        if ((view.offer?.offerId ?? null) !== (a.kind === 'Reserved' || a.kind === 'Ringing' ? a.offerId : null)) say(`${agentId} offer ${view.offer?.offerId}`);
      }
    }
    return problems;
  }
}

////////////////////////////////////////// Building blocks of the calls

const answers = (w: World, agentId: string, offerId: string, seconds: number): void => {
  w.webhook(callInitiated({ ...onAgent(agentId, offerId, seconds), from: CALLER, to: `sip:${agentId}-sip@sip.telnyx.com`, direction: 'outgoing' }));
  w.webhook(callAnswered(onAgent(agentId, offerId, seconds + 2)));
};

const hangsUp = (w: World, seconds: number): void => {
  customerHangsUp(w.call, seconds);
  w.sync();
};

/** A sales call answered by alice at 15:00:24 (recorded: sales records every call); erin and carla are free. */
const talkingToAlice = (): World => {
  const w = new World().loggedIn('alice', 'erin', 'carla', 'bob');
  queuedInSales(w.call);
  w.sync();
  w.offer('offer-1', ['alice'], 20);
  answers(w, 'alice', 'offer-1', 22);
  return w;
};

/** alice asks erin for a warm transfer at `seconds`; erin's phone rings. */
const warmTransferToErin = (w: World, seconds: number): void => {
  const requested = w.command({ type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'erin' } } }, seconds, 'alice');
  w.offer('consult-1', ['erin'], seconds + 1, 'consult', eventOf(requested, 'CallTransferRequested').data.transferId);
  w.webhook(callInitiated({ ...onAgent('erin', 'consult-1', seconds + 2), from: CALLER, to: 'sip:erin-sip@sip.telnyx.com', direction: 'outgoing' }));
};

const agentHangsUp = (w: World, agentId: string, offerId: string, seconds: number): void => {
  w.webhook(callHangup({ ...onAgent(agentId, offerId, seconds), cause: 'normal_clearing', source: 'callee' }));
};

/** A callback leg in another Telnyx session (the callback's agent leg, or the customer it dials). */
const callbackAgentLeg = (agentId: string, offerId: string, seconds: number, id: string) => ({
  id,
  at: at(seconds),
  session: `session-${agentId}`,
  callControlId: `v3:${agentId}-cb`,
  clientState: { callId: SESSION, role: 'agent' as const, agentId, offerId },
});
const calledBack = (agentId: string, seconds: number, id: string) => ({ id, at: at(seconds), session: `session-${agentId}`, callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } });

/** A caller waiting in sales who asked (through the API) for a callback and hung up; the callback is offered to alice. */
const callbackOfferedToAlice = (): World => {
  const w = new World().loggedIn('alice', 'erin', 'carla');
  queuedInSales(w.call);
  w.sync();
  w.command({ type: 'RequestCallback', data: {} }, 40);
  hangsUp(w, 45);
  w.offer('cb-offer', ['alice'], 60, 'callback');
  return w;
};

/** alice places an outbound call from her phone at `seconds`; the destination answers 5 s later. */
const aliceCallsOut = (w: World, seconds: number, answer = true): CallScenario => {
  const out = w.another('session-out');
  out.webhook(callInitiated({ session: 'session-out', callControlId: 'v3:alice-device', clientState: null, id: 'out-1', at: at(seconds), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }), 'alice');
  w.sync();
  if (!answer) return out;
  const destination = { session: 'session-out', callControlId: 'v3:destination', clientState: { callId: 'session-out', role: 'customer' as const } };
  out.webhook(callInitiated({ ...destination, id: 'out-2', at: at(seconds + 1), from: '+15550100010', to: '+15557654321', direction: 'outgoing' }));
  out.webhook(callAnswered({ ...destination, id: 'out-3', at: at(seconds + 5) }));
  w.sync();
  return out;
};

/** alice, on a held call, asks erin for a warm transfer; erin does not answer: the caller is reconnected to alice, who talks 60 s more. */
const heldCallerBackFromAFailedTransfer = (): World => {
  const w = talkingToAlice();
  w.command({ type: 'Hold', data: { agentId: 'alice' } }, 30, 'alice'); // held 15:00:30
  warmTransferToErin(w, 40);
  w.command({ type: 'ExpireOffer', data: { offerId: 'consult-1' } }, 70); // WarmTransferCancelled 15:01:10: caller back with alice
  return w;
};

////////////////////////////////////////// Bugs

describe('a held caller reconnected to the agent when a warm transfer is cancelled', () => {
  // The call decider takes the caller off hold at WarmTransferCancelled (held: false, hold music stopped, bridged
  // back to alice) without a CallUnheld, and then refuses Unhold as a no-op: every read model keeps the hold open
  // until alice's part ends. Here: held 15:00:30, reconnected 15:01:10, caller hangs up 15:02:10.
  it('agent view: alice is no longer shown holding the caller once the transfer is cancelled', async () => {
    const w = heldCallerBackFromAFailedTransfer();
    expect(w.call.state()).toMatchObject({ status: 'Connected', held: false, transfer: null });
    const alice = (await w.project()).agents.get('alice')!;
    expect(alice.currentCall).toMatchObject({ callId: SESSION, held: false, heldSince: null, holdSeconds: 40 });
  });

  it("call history: alice's connection has 40 s of hold and 66 s of talk, not 100 s of hold", async () => {
    const w = heldCallerBackFromAFailedTransfer();
    w.command({ type: 'Unhold', data: { agentId: 'alice' } }, 80, 'alice'); // a no-op: the call is not held
    hangsUp(w, 130);
    const doc = (await w.project()).calls.get(SESSION)!;
    expect(doc.connections).toEqual([expect.objectContaining({ agentId: 'alice', holdSeconds: 40, talkSeconds: 66 })]);
    expect(doc.durations).toMatchObject({ holdSeconds: 40, talkSeconds: 66 });
  });

  it("reports and today's totals: 40 s of hold for alice and for sales, not the whole rest of the call", async () => {
    const w = heldCallerBackFromAFailedTransfer();
    hangsUp(w, 130);
    const p = await w.project();
    expect(p.agents.get('alice')!.today).toMatchObject({ holdSeconds: 40, talkSeconds: 66 });
    expect(p.agentDays.get('alice|2026-03-02')).toMatchObject({ holdSeconds: 40, talkSeconds: 66 });
    expect(p.queueDays.get('sales|2026-03-02')).toMatchObject({ handled: 1, holdSeconds: 40, talkSeconds: 66 });
  });
});

describe('a blind transfer to a number that Telnyx refuses', () => {
  it('call history: the transfer is not left as "transferred-out" once the caller is back in the queue and talks to carla', async () => {
    const w = talkingToAlice();
    const events = w.command({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60, 'alice');
    const transfer = telnyxRequests(events).find((r) => r.action === 'transfer')!;
    agentHangsUp(w, 'alice', 'offer-1', 61);
    w.command({ type: 'RecordCommandOutcome', data: { commandId: transfer.commandId, action: 'transfer', ok: false, error: { status: 403, code: 'D38', title: 'Destination not allowed' } } }, 61);
    w.offer('offer-2', ['carla'], 100);
    answers(w, 'carla', 'offer-2', 101);
    hangsUp(w, 200);
    const doc = (await w.project()).calls.get(SESSION)!;
    expect(doc).toMatchObject({ outcome: 'answered', agentIds: ['alice', 'carla'] });
    expect(doc.transfers).toEqual([expect.objectContaining({ kind: 'blind', target: { kind: 'number', number: '+15557654321' }, status: 'cancelled' })]);
  });
});

describe('an outbound call blind-transferred into a queue', () => {
  it('queue view: the waiting call shows the outside party, as the call history does', async () => {
    const w = new World().loggedIn('alice', 'bob');
    const out = aliceCallsOut(w, 0);
    w.command({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'sales' } } }, 30, 'alice', out);
    const p = await w.project();
    expect(p.calls.get('session-out')).toMatchObject({ direction: 'outbound', callerNumber: '+15557654321' });
    expect(p.queues.get('sales')!.calls).toEqual([expect.objectContaining({ callId: 'session-out', caller: { number: '+15557654321', name: null } })]);
  });
});

////////////////////////////////////////// Read models following the deciders step by step

const checkedPaths: Record<string, () => World> = {
  'a callback offered while the caller still hears the confirmation, answered: the first leg is hung up, the second connects': () => {
    const w = new World().loggedIn('alice', 'erin');
    queuedInSales(w.call);
    w.sync();
    w.webhook(dtmfReceived({ ...onCustomer(40), digit: '*' }));
    w.offer('cb-offer', ['alice'], 41, 'callback');
    w.webhook(callAnswered(callbackAgentLeg('alice', 'cb-offer', 43, 'a1')));
    w.webhook(callInitiated({ ...calledBack('alice', 44, 'c0'), from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    w.webhook(speakEnded({ ...onCustomer(45), status: 'call_hangup' }));
    hangsUp(w, 45);
    w.webhook(callAnswered(calledBack('alice', 50, 'c1')));
    w.webhook(callHangup({ ...calledBack('alice', 150, 'c2'), cause: 'normal_clearing', source: 'caller' }));
    return w;
  },
  'an IVR callback offered during the confirmation, missed, then accepted by an agent who leaves before the dial, then hung up from the console': () => {
    const w = new World().loggedIn('bob', 'erin');
    w.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: '+15550100000', direction: 'incoming' }));
    w.webhook(callAnswered(onCustomer(1)));
    w.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    w.webhook(gatherEnded({ ...onCustomer(9), digits: '3', status: 'valid' }));
    w.offer('cb-1', ['bob'], 10, 'callback');
    w.webhook(speakEnded(onCustomer(12)));
    hangsUp(w, 13);
    w.command({ type: 'ExpireOffer', data: { offerId: 'cb-1' } }, 40);
    w.offer('cb-2', ['erin'], 60, 'callback');
    w.webhook(callAnswered(callbackAgentLeg('erin', 'cb-2', 62, 'e1')));
    w.webhook(callHangup({ ...callbackAgentLeg('erin', 'cb-2', 63, 'e2'), cause: 'normal_clearing', source: 'caller' }));
    w.command({ type: 'Hangup', data: { reason: 'no longer needed' } }, 70, 'sam');
    return w;
  },
  'a callback hung up from the console while offered': () => {
    const w = callbackOfferedToAlice();
    w.command({ type: 'Hangup', data: { reason: 'no longer needed' } }, 62, 'sam');
    return w;
  },
  'a callback hung up from the console while the caller is dialled': () => {
    const w = callbackOfferedToAlice();
    w.webhook(callAnswered(callbackAgentLeg('alice', 'cb-offer', 62, 'a1')));
    w.webhook(callInitiated({ ...calledBack('alice', 63, 'c0'), from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    w.command({ type: 'Hangup', data: { reason: 'wrong number' } }, 64, 'sam');
    return w;
  },
  'a callback whose dial is refused because its agent left: waiting again, then connected by carla': () => {
    const w = callbackOfferedToAlice();
    const dial = telnyxRequests(w.webhook(callAnswered(callbackAgentLeg('alice', 'cb-offer', 62, 'a1')))).find((r) => r.action === 'dial')!;
    w.command({ type: 'RecordCommandOutcome', data: { commandId: dial.commandId, action: 'dial', ok: false, error: { status: 422, code: '90018', title: 'Call has already ended' } } }, 64);
    w.offer('cb-2', ['carla'], 80, 'callback');
    w.webhook(callAnswered(callbackAgentLeg('carla', 'cb-2', 82, 'k1')));
    w.webhook(callInitiated({ ...calledBack('carla', 83, 'c0'), from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    w.webhook(callAnswered(calledBack('carla', 88, 'c1')));
    w.webhook(callHangup({ ...calledBack('carla', 150, 'c2'), cause: 'normal_clearing', source: 'caller' }));
    return w;
  },
  'a warm transfer whose agent left (held before) and whose target did not answer: back in the queue, answered by carla': () => {
    const w = talkingToAlice();
    w.command({ type: 'Supervise', data: { supervisorId: 'sam', sipUsername: 'sam-sip', mode: 'monitor' } }, 25, 'sam');
    w.command({ type: 'Hold', data: { agentId: 'alice' } }, 30, 'alice');
    warmTransferToErin(w, 60);
    agentHangsUp(w, 'alice', 'offer-1', 64);
    w.command({ type: 'ExpireOffer', data: { offerId: 'consult-1' } }, 90);
    w.offer('offer-2', ['carla'], 100);
    answers(w, 'carla', 'offer-2', 101);
    hangsUp(w, 200);
    return w;
  },
  'a warm transfer whose agent left and whose target declined: back in the queue, answered by alice again': () => {
    const w = talkingToAlice();
    warmTransferToErin(w, 60);
    agentHangsUp(w, 'alice', 'offer-1', 64);
    w.command({ type: 'RejectOffer', data: { offerId: 'consult-1', agentId: 'erin' } }, 70, 'erin');
    w.offer('offer-2', ['alice'], 100);
    answers(w, 'alice', 'offer-2', 101);
    hangsUp(w, 200);
    return w;
  },
  'a warm transfer whose agent left before the target answered: completed to erin': () => {
    const w = talkingToAlice();
    w.command({ type: 'Hold', data: { agentId: 'alice' } }, 30, 'alice');
    warmTransferToErin(w, 60);
    agentHangsUp(w, 'alice', 'offer-1', 64);
    w.webhook(callAnswered(onAgent('erin', 'consult-1', 70)));
    hangsUp(w, 200);
    return w;
  },
  'a blind transfer to a number refused by Telnyx: back in the queue': () => {
    const w = talkingToAlice();
    const events = w.command({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60, 'alice');
    agentHangsUp(w, 'alice', 'offer-1', 61);
    w.command({ type: 'RecordCommandOutcome', data: { commandId: telnyxRequests(events).find((r) => r.action === 'transfer')!.commandId, action: 'transfer', ok: false, error: { status: 403, code: 'D38', title: 'no' } } }, 61);
    hangsUp(w, 90);
    return w;
  },
  'a voicemail after a recorded conversation, the conversation recording saved late': () => {
    const w = talkingToAlice();
    w.command({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'support' } } }, 60, 'alice');
    agentHangsUp(w, 'alice', 'offer-1', 61);
    w.webhook(callEnqueued({ ...onCustomer(62), queue: 'support' }));
    w.webhook(speakEnded(onCustomer(66)));
    w.webhook(dtmfReceived({ ...onCustomer(70), digit: '#' }));
    w.webhook(speakEnded(onCustomer(75)));
    w.webhook(recordingSaved({ ...onCustomer(76), recordingId: 'rec-conversation', startedAt: at(24), endedAt: at(70), channels: 'dual' }));
    w.webhook(recordingSaved({ ...onCustomer(100), recordingId: 'rec-message', startedAt: at(76), endedAt: at(99), channels: 'single' }));
    w.webhook(speakEnded(onCustomer(104)));
    hangsUp(w, 105);
    w.command({ type: 'RecordRecordingStored', data: { recordingId: 'rec-conversation', location: 'a', contentType: 'audio/mpeg', sizeBytes: 1 } }, 110);
    w.command({ type: 'RecordRecordingStored', data: { recordingId: 'rec-message', location: 'b', contentType: 'audio/mpeg', sizeBytes: 1 } }, 111);
    return w;
  },
  'a voicemail whose recording is refused: goodbye and hang-up': () => {
    const w = talkingToAlice();
    w.command({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'support' } } }, 60, 'alice');
    agentHangsUp(w, 'alice', 'offer-1', 61);
    w.webhook(dtmfReceived({ ...onCustomer(70), digit: '#' }));
    const recordStart = telnyxRequests(w.webhook(speakEnded(onCustomer(75)))).find((r) => r.action === 'record_start')!;
    w.command({ type: 'RecordCommandOutcome', data: { commandId: recordStart.commandId, action: 'record_start', ok: false, error: { status: 422, code: '10015', title: 'busy' } } }, 75);
    w.webhook(speakEnded(onCustomer(80)));
    hangsUp(w, 81);
    return w;
  },
  "an outbound call placed during an inbound call: the inbound call's agent part is superseded": () => {
    const w = talkingToAlice();
    aliceCallsOut(w, 60);
    hangsUp(w, 100);
    return w;
  },
  'an outbound call placed while an offer rings: the reservation is released, the offer then expires': () => {
    const w = new World().loggedIn('alice', 'carla');
    queuedInSales(w.call);
    w.sync();
    w.offer('offer-1', ['alice'], 20);
    w.webhook(callInitiated({ ...onAgent('alice', 'offer-1', 21), from: CALLER, to: 'sip:alice-sip@sip.telnyx.com', direction: 'outgoing' }));
    aliceCallsOut(w, 25, false);
    w.command({ type: 'ExpireOffer', data: { offerId: 'offer-1' } }, 50);
    return w;
  },
};

describe('queue listing, agent state and call history follow the deciders after every decision', () => {
  for (const [name, build] of Object.entries(checkedPaths)) {
    it(name, async () => {
      const w = build();
      expect(await w.mismatches()).toEqual([]);
    });
  }

  it('the conversation recording stays the call recording and the message is the voicemail; cancelled callbacks are no abandons in the reports', async () => {
    const vm = await checkedPaths['a voicemail after a recorded conversation, the conversation recording saved late']().project();
    expect(vm.calls.get(SESSION)!.recordings.map((r) => [r.recordingId, r.kind, r.status])).toEqual([
      ['rec-conversation', 'call', 'stored'],
      ['rec-message', 'voicemail', 'stored'],
    ]);
    expect(vm.calls.get(SESSION)).toMatchObject({ outcome: 'voicemail', voicemail: { recordingId: 'rec-message' } });
    const cancelled = await checkedPaths['a callback hung up from the console while offered']().project();
    expect(cancelled.queueDays.get('sales|2026-03-02')).toMatchObject({ offered: 1, answered: 0, abandoned: 0, exits: expect.objectContaining({ hungUp: 1 }) });
  });
});

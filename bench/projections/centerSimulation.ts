import { Heap } from 'heap-js';
import { agentStreamId, evolveAgent, initialAgentState, type AgentEvent, type AgentState } from '../../api/agents/agent';
import { decideAgent, type AgentCommand } from '../../api/agents/agentDecider';
import { agentFollowUps } from '../../api/agents/followUps';
import type { CallCommand } from '../../api/calls/callCommands';
import { decideCall } from '../../api/calls/callDecider';
import type { CallEvent } from '../../api/calls/callEvents';
import { evolveCall, initialCallState, type CallState } from '../../api/calls/callState';
import { timersFor, type Timer } from '../../api/calls/timers';
import { callAnswered, callBridged, callEnqueued, callHangup, callInitiated, dtmfReceived, gatherEnded, recordingSaved, speakEnded } from '../../api/calls/webhookFixtures';
import { callStreamId, decodeClientState, owningCallId, type ClientState, type TelnyxWebhookData } from '../../api/calls/webhook';
import { configStreamFor, decideConfiguration, type ConfigCommand } from '../../api/config/configDecider';
import { evolveConfiguration, emptyConfiguration, type AgentProfile, type ConfigEvent, type ContactCenterConfig, type QueueConfig } from '../../api/config/config';
import { defaultConfigurationCommands } from '../../api/config/defaultConfiguration';
import { CallstreamError } from '../../api/core/errors';
import { deterministicId, eventIdAt } from '../../api/core/decider';
import { contactDirectory } from '../../api/crm/embeddedContacts';
import type { PreviousCall } from '../../api/crm/crmPort';
import type { EventData, EventMetadata } from '../../api/infrastructure/eventStore/eventStore';
import { estimatedWaitSeconds } from '../../api/routing/ewt';
import { route } from '../../api/routing/router';
import { agentBySipUsername, agentsServing, emptyRoutingView, evolveRoutingView, queuePosition, routingSnapshot, type RoutingView } from '../../api/routing/routingView';
import { webhookEventId } from '../../api/webhooks/webhookIntake';

/**
 * A contact center in simulated time, driven through the real deciders: Telnyx's side (webhooks in answer
 * to the commands the call decider requests), the reactor's side (follow-ups, timers, routing, command
 * outcomes, caller identity, recordings) and the people (callers choosing in the IVR, waiting, hanging up;
 * agents logging in, answering, holding, wrapping up). It produces exactly the appends the product makes,
 * in the order it makes them, for tests and benchmarks. Deterministic: same plans, same events.
 */

////////////////////////////////////////// Plans

export interface AgentPlan {
  agentId: string;
  loginAt: string;
  logoutAt?: string | null;
  breaks?: Array<{ at: string; seconds: number; reason?: string }>;
}

export interface CallPlan {
  /** The Telnyx call_session_id of the caller's leg: the call id. */
  callId: string;
  /** occurred_at of the incoming call.initiated. */
  at: string;
  from: string;
  to?: string;
  /** Digits pressed at each IVR prompt, in order; '' lets the prompt time out. */
  digits: string[];
  /** Seconds the caller waits in the queue before hanging up (from entering it); omitted: waits forever. */
  patienceSeconds?: number;
  /** Seconds from the agent's connection to the hang-up. */
  talkSeconds: number;
  hangupBy?: 'customer' | 'agent';
  hold?: { afterSeconds: number; seconds: number };
  /** Seconds an agent's phone rings before the agent answers (default 3). */
  answerAfterSeconds?: number;
  /** Agents who let this call's offers ring out. */
  noAnswerBy?: string[];
  /** Agents who decline this call's offers on the phone. */
  declineBy?: string[];
  /** Seconds after the agent's part ends at which the agent submits the wrap-up form; omitted: the wrap-up times out. */
  dispositionAfterSeconds?: number;
  disposition?: string;
  /** A digit the caller presses while waiting ('*' callback, '#' voicemail). */
  queueDigit?: { digit: string; afterSeconds: number };
  /** Length of a voicemail the caller leaves. */
  voicemailSeconds?: number;
}

export interface OutboundPlan {
  agentId: string;
  at: string;
  destination: string;
  answerAfterSeconds: number;
  talkSeconds: number;
}

/** Seconds Telnyx (and the reactor's I/O) take to answer; the defaults are plausible, tests may set round ones. */
export interface Latencies {
  /** From `answer` to call.answered. */
  answer: number;
  /** From `gather_using_speak` to call.gather.ended with a digit (a timeout takes the prompt's timeout more). */
  gather: number;
  speak: number;
  enqueue: number;
  bridge: number;
  hangup: number;
  /** From `dial` to the dialled leg's call.initiated (it answers answerAfterSeconds later). */
  dial: number;
  commandOutcome: number;
  callerIdentity: number;
  recordingSaved: number;
  recordingStored: number;
}

const DEFAULT_LATENCIES: Latencies = {
  answer: 0.5,
  gather: 4,
  speak: 2.5,
  enqueue: 0.2,
  bridge: 0.1,
  hangup: 0.2,
  dial: 0.3,
  commandOutcome: 0.05,
  callerIdentity: 0.2,
  recordingSaved: 2,
  recordingStored: 1,
};

/** One append, as the product would make it. */
export interface PlannedAppend {
  streamId: string;
  expectedRevision: bigint | 'no_stream';
  events: EventData[];
}

export interface SimulationOptions {
  config?: ContactCenterConfig;
  /** Appended config events first (ConfigureX commands); defaults to the demo seed. */
  configCommands?: ConfigCommand[];
  agents: AgentPlan[];
  calls: CallPlan[];
  outbound?: OutboundPlan[];
  /** Receives every append, in order. */
  sink: (append: PlannedAppend) => void;
  /** When the configuration is appended. */
  start: string;
  /** Cheaper event ids (still deterministic UUIDs) for large generated histories. */
  fastIds?: boolean;
  latencies?: Partial<Latencies>;
}

////////////////////////////////////////// Timed actions

interface Action {
  at: number;
  seq: number;
  run: () => void;
}

/** Earliest first; actions due at the same instant run in the order they were set. */
class ActionQueue {
  private readonly heap = new Heap<Action>((a, b) => a.at - b.at || a.seq - b.seq);
  private seq = 0;

  push(at: number, run: () => void): void {
    this.heap.push({ at, seq: this.seq++, run });
  }

  pop(): Action | undefined {
    return this.heap.pop();
  }

  get size(): number {
    return this.heap.length;
  }
}

////////////////////////////////////////// Telnyx legs

interface SimLeg {
  callControlId: string;
  session: string;
  clientState: ClientState | null;
  ended: boolean;
  answered: boolean;
  recordingStartedAt: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** How long an ended call's state is kept for what follows its end (recordings, wrap-up). */
const CALL_STATE_KEPT_SECONDS = 900;

export const sipUsernameFor = (agentId: string): string => `${agentId}sip`;

export class CenterSimulation {
  private readonly queue = new ActionQueue();
  private readonly revisions = new Map<string, bigint>();
  private readonly calls = new Map<string, CallState>();
  private readonly agents = new Map<string, AgentState>();
  private readonly legs = new Map<string, SimLeg>();
  private readonly plans = new Map<string, CallPlan>();
  private readonly digitIndex = new Map<string, number>();
  private readonly history = new Map<string, PreviousCall[]>();
  private readonly directory = contactDirectory();
  private view: RoutingView = emptyRoutingView();
  private config: ContactCenterConfig = emptyConfiguration();
  private now = 0;
  private counter = 0;
  private routingScheduled = false;
  private lastRoutingAt = 0;
  /** Appends made (one per decision); events counts every event. */
  readonly stats = { appends: 0, events: 0, calls: 0, webhooks: 0 };

  private readonly latency: Latencies;

  constructor(private readonly options: SimulationOptions) {
    this.latency = { ...DEFAULT_LATENCIES, ...options.latencies };
  }

  private started = false;

  /** Runs the whole simulation; returns once every call and agent plan has played out. */
  run(): void {
    while (this.step(Number.POSITIVE_INFINITY));
  }

  /** Runs up to `maxActions` timed actions; false once nothing is left to do. */
  step(maxActions: number): boolean {
    if (!this.started) this.begin();
    for (let i = 0; i < maxActions; i++) {
      const action = this.queue.pop();
      if (!action) return false;
      this.now = Math.max(this.now, action.at);
      action.run();
    }
    return this.queue.size > 0;
  }

  private begin(): void {
    this.started = true;
    this.now = Date.parse(this.options.start);
    this.seedConfiguration();
    for (const agent of this.options.agents) this.planAgent(agent);
    for (const call of this.options.calls) {
      this.plans.set(call.callId, call);
      this.at(Date.parse(call.at), () => this.incomingCall(call));
    }
    for (const outbound of this.options.outbound ?? []) this.at(Date.parse(outbound.at), () => this.outboundCall(outbound));
  }

  private at(ms: number, run: () => void): void {
    this.queue.push(ms, run);
  }

  private after(seconds: number, run: () => void): void {
    this.queue.push(this.now + Math.round(seconds * 1000), run);
  }

  private nextId(kind: string): string {
    this.counter += 1;
    return deterministicId('simulation', kind, this.counter);
  }

  ////////////////////////////////////////// Appending

  private append(streamId: string, events: Array<{ type: string; data: unknown }>, metadata: EventMetadata, ids?: string[]): void {
    if (events.length === 0) return;
    const current = this.revisions.get(streamId);
    const first = current === undefined ? 0n : current + 1n;
    const data: EventData[] = events.map((event, i) => ({ id: ids?.[i] ?? this.eventId(streamId, first + BigInt(i), event), type: event.type, data: event.data, metadata }));
    this.revisions.set(streamId, first + BigInt(events.length) - 1n);
    this.options.sink({ streamId, expectedRevision: current === undefined ? 'no_stream' : current, events: data });
    this.stats.appends += 1;
    this.stats.events += events.length;
    for (const event of events) this.view = evolveRoutingView(this.view, event);
  }

  /** The product's event id (eventIdAt hashes the JSON of the data); `fastIds` hashes stream and revision only. */
  private eventId(streamId: string, revision: bigint, event: { type: string; data: unknown }): string {
    return this.options.fastIds ? deterministicId('event', streamId, revision, event.type) : eventIdAt(streamId, revision, event);
  }

  private seedConfiguration(): void {
    const now = iso(this.now);
    const commands = this.options.configCommands ?? defaultConfigurationCommands({ now, commandId: 'seed', actor: 'system' });
    for (const command of commands) {
      const events: ConfigEvent[] = decideConfiguration(command, this.config);
      for (const event of events) this.config = evolveConfiguration(this.config, event);
      this.append(configStreamFor(command), events, { correlationId: 'seed', causationId: command.metadata.commandId, actor: 'system' });
    }
  }

  ////////////////////////////////////////// Call stream (the reactor's side)

  private handleCall(callId: string, command: CallCommand, metadata: EventMetadata): CallEvent[] {
    const state = this.calls.get(callId) ?? initialCallState();
    let events: CallEvent[];
    try {
      events = decideCall(this.config, command, state, callId);
    } catch (error) {
      if (error instanceof CallstreamError) return [];
      throw error;
    }
    if (events.length === 0) return [];
    const streamId = callStreamId(callId);
    const first = (this.revisions.get(streamId) ?? -1n) + 1n;
    this.calls.set(callId, events.reduce(evolveCall, state));
    this.append(streamId, events, { correlationId: callId, ...metadata });
    events.forEach((event, i) => this.reactToCallEvent(callId, event, this.eventId(streamId, first + BigInt(i), event)));
    return events;
  }

  private command(callId: string, build: (meta: { now: string; commandId: string; actor: string }) => CallCommand, actor = 'reactor'): CallEvent[] {
    const commandId = this.nextId('command');
    return this.handleCall(callId, build({ now: iso(this.now), commandId, actor }), { causationId: commandId, actor });
  }

  private handleAgent(command: AgentCommand, metadata: EventMetadata): AgentEvent[] {
    const agentId = command.data.agentId;
    const state = this.agents.get(agentId) ?? initialAgentState();
    let events: AgentEvent[];
    try {
      events = decideAgent(command, state);
    } catch (error) {
      if (error instanceof CallstreamError) return [];
      throw error;
    }
    if (events.length === 0) return [];
    this.agents.set(agentId, events.reduce(evolveAgent, state));
    this.append(agentStreamId(agentId), events, { correlationId: metadata.correlationId ?? agentId, causationId: metadata.causationId, actor: metadata.actor });
    for (const event of events) this.reactToAgentEvent(event);
    return events;
  }

  private agentCommand(build: (meta: { now: string; commandId: string; actor: string }) => AgentCommand, actor: string): AgentEvent[] {
    const commandId = this.nextId('agent-command');
    return this.handleAgent(build({ now: iso(this.now), commandId, actor }), { causationId: commandId, actor });
  }

  private scheduleTimers(timers: Timer[]): void {
    for (const timer of timers) {
      this.at(Math.max(this.now, Date.parse(timer.at)), () => {
        const metadata = { now: timer.at < iso(this.now) ? iso(this.now) : timer.at, commandId: deterministicId('timer', timer.streamId, timer.command.type, timer.at), actor: 'system' };
        if (timer.kind === 'agent') {
          this.handleAgent({ ...timer.command, metadata } as AgentCommand, { causationId: metadata.commandId, actor: 'system' });
          return;
        }
        const callId = timer.streamId.slice('call-'.length);
        let command = { ...timer.command, metadata } as CallCommand;
        if (command.type === 'CheckQueueTimers') {
          const position = queuePosition(this.view, callId);
          const queueId = this.view.waiting[callId]?.queueId;
          if (position !== undefined && queueId !== undefined) {
            command = { ...command, data: { position, ewtSeconds: estimatedWaitSeconds({ position, ahtSeconds: 180, agentsServing: agentsServing(this.view, queueId) }) } };
          }
        }
        this.handleCall(callId, command, { causationId: metadata.commandId, actor: 'system' });
      });
    }
  }

  private reactToCallEvent(callId: string, event: CallEvent, eventId: string): void {
    for (const followUp of agentFollowUps(event, eventId, this.config)) this.handleAgent(followUp.command, { correlationId: callId, causationId: eventId, actor: 'reactor' });
    this.scheduleTimers(timersFor(event));
    const plan = this.plans.get(callId);
    switch (event.type) {
      case 'TelnyxCommandRequested': {
        const d = event.data;
        this.after(this.latency.commandOutcome, () =>
          this.handleCall(
            callId,
            {
              type: 'RecordCommandOutcome',
              data: { commandId: d.commandId, action: d.action, ok: true, result: d.callControlId ? { callControlId: d.callControlId } : {} },
              metadata: { now: iso(this.now), commandId: deterministicId('command-outcome', d.commandId), actor: 'reactor' },
            },
            { causationId: d.commandId, actor: 'reactor' },
          ),
        );
        this.telnyx(callId, event);
        return;
      }
      case 'InboundCallStarted': {
        const number = event.data.from;
        const previousCalls = (this.history.get(number) ?? []).slice(-5).reverse();
        this.after(this.latency.callerIdentity, () =>
          this.command(callId, (meta) => ({ type: 'RecordCallerIdentity', data: { number, contact: this.directory.lookup(number), previousCalls }, metadata: meta })),
        );
        return;
      }
      case 'CallQueued':
      case 'CallbackRequested':
      case 'CallReturnedToQueue':
        this.scheduleRouting();
        if (event.type === 'CallQueued' && plan) {
          if (plan.patienceSeconds !== undefined) {
            const entryId = event.data.entryId;
            this.after(plan.patienceSeconds, () => {
              const state = this.calls.get(callId);
              if (state && (state.status === 'Queued' || state.status === 'Offering') && state.entry?.entryId === entryId) this.customerHangsUp(callId, 'normal_clearing');
            });
          }
          if (plan.queueDigit && event.data.reason !== 'overflow') {
            const digit = plan.queueDigit;
            this.after(digit.afterSeconds, () => {
              const state = this.calls.get(callId);
              const leg = state && state.status !== 'New' ? state.customerCallControlId : null;
              if (state && (state.status === 'Queued' || state.status === 'Offering') && leg) this.webhook(callId, dtmfReceived({ ...this.on(leg), digit: digit.digit }));
            });
          }
        }
        return;
      case 'AgentConnected': {
        if (!plan) return;
        const agentId = event.data.agentId;
        if (plan.hold) {
          const hold = plan.hold;
          this.after(hold.afterSeconds, () => this.command(callId, (meta) => ({ type: 'Hold', data: { agentId }, metadata: meta }), agentId));
          this.after(hold.afterSeconds + hold.seconds, () => this.command(callId, (meta) => ({ type: 'Unhold', data: { agentId }, metadata: meta }), agentId));
        }
        const agentLeg = event.data.callControlId;
        this.after(plan.talkSeconds, () => {
          const state = this.calls.get(callId);
          if (!state || state.status !== 'Connected') return;
          if (plan.hangupBy === 'agent') this.legHangsUp(agentLeg, 'normal_clearing', 'caller');
          else this.customerHangsUp(callId, 'normal_clearing');
        });
        return;
      }
      case 'AgentDisconnected': {
        const agentId = event.data.agentId;
        if (plan?.dispositionAfterSeconds !== undefined) {
          this.after(plan.dispositionAfterSeconds, () =>
            this.command(callId, (meta) => ({ type: 'CompleteWrapUp', data: { agentId, disposition: plan.disposition ?? 'resolved', notes: '' }, metadata: meta }), agentId),
          );
        }
        return;
      }
      case 'RecordingDownloadRequested': {
        const recordingId = event.data.recordingId;
        this.after(this.latency.recordingStored, () =>
          this.command(callId, (meta) => ({ type: 'RecordRecordingStored', data: { recordingId, location: `recordings/${recordingId}.mp3`, contentType: 'audio/mpeg', sizeBytes: 48_000 }, metadata: meta })),
        );
        return;
      }
      case 'CallEnded': {
        const state = this.calls.get(callId);
        if (state && state.status !== 'New' && state.direction === 'inbound') {
          const list = this.history.get(state.from) ?? [];
          list.push({ callId, startedAt: state.startedAt, outcome: event.data.outcome, queueId: event.data.queueId, agentId: event.data.agentId });
          this.history.set(state.from, list.slice(-5));
        }
        // Recordings and wrap-ups follow within a minute or two; then the call's state is no longer needed.
        this.after(CALL_STATE_KEPT_SECONDS, () => this.forget(callId));
        return;
      }
      default:
        return;
    }
  }

  private forget(callId: string): void {
    const state = this.calls.get(callId);
    if (state) for (const callControlId of Object.keys(state.legs)) this.legs.delete(callControlId);
    this.calls.delete(callId);
    this.plans.delete(callId);
    this.digitIndex.delete(callId);
  }

  private reactToAgentEvent(event: AgentEvent): void {
    this.scheduleTimers(timersFor(event));
    switch (event.type) {
      case 'AgentLoggedIn':
      case 'AgentStatusChanged':
      case 'AgentDeviceRegistered':
      case 'AgentReservationReleased':
      case 'AgentOfferMissed':
      case 'AgentOfferRejected':
      case 'AgentCallEnded':
      case 'AgentWrapUpCompleted':
        this.scheduleRouting();
        return;
      default:
        return;
    }
  }

  ////////////////////////////////////////// Routing (the reactor's routing pass)

  private scheduleRouting(): void {
    if (this.routingScheduled) return;
    this.routingScheduled = true;
    // One pass per instant at most: a pass whose offers fail at once would otherwise repeat forever.
    this.at(Math.max(this.now, this.lastRoutingAt + 1), () => {
      this.routingScheduled = false;
      this.lastRoutingAt = this.now;
      this.routingPass();
    });
  }

  private routingPass(): void {
    const now = iso(this.now);
    const lastReason = (callId: string): string | null => {
      const state = this.calls.get(callId);
      return state && state.status !== 'New' ? (state.entry?.lastWaitingReason ?? null) : null;
    };
    const decisions = route(routingSnapshot(this.view, now), { explainWaiting: (call, reason) => reason !== lastReason(call.callId) });
    for (const decision of decisions) {
      const recorded = this.command(decision.callId, (meta) => ({ type: 'RecordRoutingDecision', data: { decision }, metadata: meta }));
      if (recorded.length === 0 || decision.chosen.length === 0) continue;
      const offerId = deterministicId('offer', decision.decisionId);
      const waiting = this.view.waiting[decision.callId];
      const queue = this.config.queues[decision.queueId];
      const settings = this.config.settings;
      if (!settings) continue;
      const expiresAt = iso(this.now + ((queue?.ringTimeoutSeconds ?? 20) + 5 + settings.reservationGraceSeconds) * 1000);
      const reserved: Array<{ agentId: string; sipUsername: string }> = [];
      for (const agentId of decision.chosen) {
        const events = this.agentCommand(
          (meta) => ({ type: 'ReserveAgent', data: { agentId, offerId, callId: decision.callId, queueId: decision.queueId, purpose: waiting?.kind === 'callback' ? 'callback' : 'queue', expiresAt }, metadata: meta }),
          'reactor',
        );
        const sipUsername = this.agents.get(agentId)?.device?.sipUsername;
        if (events.length > 0 && sipUsername) reserved.push({ agentId, sipUsername });
      }
      if (reserved.length === 0) continue;
      this.command(decision.callId, (meta) => ({
        type: 'OfferCall',
        data: { offerId, purpose: waiting?.kind === 'callback' ? 'callback' : 'queue', strategy: decision.strategy, agents: reserved, decisionId: decision.decisionId },
        metadata: meta,
      }));
    }
  }

  ////////////////////////////////////////// Telnyx's side

  private on(callControlId: string): { id: string; at: string; session: string; callControlId: string; clientState: ClientState | null } {
    const leg = this.legs.get(callControlId);
    return { id: this.nextId('webhook'), at: iso(this.now), session: leg?.session ?? callControlId, callControlId, clientState: leg?.clientState ?? null };
  }

  /** The intake appends the webhook to its session's stream; the reactor hands it to the owning call. */
  private webhook(_callId: string, webhook: TelnyxWebhookData, originatingAgentId: string | null = null): void {
    const leg = webhook.callControlId ? this.legs.get(webhook.callControlId) : undefined;
    // Nothing more happens on a leg that hung up, except its recording being saved.
    if (leg?.ended && webhook.eventType !== 'call.recording.saved') return;
    if (leg && webhook.eventType === 'call.hangup') leg.ended = true;
    if (leg && webhook.eventType === 'call.answered') leg.answered = true;
    const stored: TelnyxWebhookData = { ...webhook, raw: JSON.stringify({ data: { record_type: 'event', id: webhook.webhookId, event_type: webhook.eventType, occurred_at: webhook.occurredAt, payload: webhook.payload }, meta: webhook.meta }) };
    const session = webhook.callSessionId ?? webhook.callControlId ?? 'unknown';
    this.stats.webhooks += 1;
    this.append(
      callStreamId(session),
      [{ type: 'TelnyxWebhookReceived', data: stored }],
      { correlationId: session, causationId: webhook.webhookId, actor: 'telnyx', receivedAt: webhook.occurredAt },
      [webhookEventId(webhook.webhookId)],
    );
    const owner = owningCallId(stored) ?? session;
    // The reactor folds the call's stream, the webhook just stored included.
    const ownerState = this.calls.get(owner);
    if (owner === session) this.calls.set(owner, evolveCall(ownerState ?? initialCallState(), { type: 'TelnyxWebhookReceived', data: stored }));
    this.handleCall(
      owner,
      { type: 'HandleWebhook', data: { webhook: stored, originatingAgentId }, metadata: { now: webhook.occurredAt, commandId: `handle-${webhook.webhookId}`, actor: 'reactor' } },
      { causationId: webhookEventId(webhook.webhookId), actor: 'reactor' },
    );
  }

  private legHangsUp(callControlId: string, cause: string, source: 'caller' | 'callee' | 'unknown'): void {
    const leg = this.legs.get(callControlId);
    if (!leg || leg.ended) return;
    const callId = leg.clientState?.callId ?? leg.session;
    this.webhook(callId, callHangup({ ...this.on(callControlId), cause, source }));
    if (leg.recordingStartedAt !== null) {
      const startedAt = iso(leg.recordingStartedAt);
      leg.recordingStartedAt = null;
      const recordingId = this.nextId('recording');
      const endedAt = iso(this.now);
      this.after(this.latency.recordingSaved, () => this.webhook(callId, recordingSaved({ ...this.on(callControlId), recordingId, startedAt, endedAt })));
    }
  }

  private customerHangsUp(callId: string, cause: string): void {
    const state = this.calls.get(callId);
    if (!state || state.status === 'New' || !state.customerCallControlId) return;
    this.legHangsUp(state.customerCallControlId, cause, 'caller');
  }

  private incomingCall(plan: CallPlan): void {
    this.stats.calls += 1;
    const callControlId = `v3:${plan.callId}-customer`;
    this.legs.set(callControlId, { callControlId, session: plan.callId, clientState: null, ended: false, answered: false, recordingStartedAt: null });
    this.webhook(plan.callId, callInitiated({ ...this.on(callControlId), from: plan.from, to: plan.to ?? '+15550100000', direction: 'incoming' }));
  }

  private outboundCall(plan: OutboundPlan): void {
    const agent = this.agents.get(plan.agentId);
    if (!agent || agent.status !== 'Available' || agent.activity.kind !== 'Idle' || !agent.device?.registered) return;
    this.stats.calls += 1;
    const session = this.nextId('outbound-session');
    const callControlId = `v3:${session}-agent`;
    this.legs.set(callControlId, { callControlId, session, clientState: null, ended: false, answered: false, recordingStartedAt: null });
    this.plans.set(session, { callId: session, at: iso(this.now), from: plan.destination, digits: [], talkSeconds: plan.talkSeconds, answerAfterSeconds: plan.answerAfterSeconds, hangupBy: 'customer' });
    const sip = agent.device.sipUsername;
    const webhook = callInitiated({
      ...this.on(callControlId),
      from: `sip:${sip}@sip.telnyx.com`,
      to: plan.destination,
      direction: 'outgoing',
      payload: { from_sip_uri: `sip:${sip}@sip.telnyx.com` },
    });
    this.webhook(session, webhook, agentBySipUsername(this.view, sip) ?? null);
  }

  private telnyx(callId: string, event: Extract<CallEvent, { type: 'TelnyxCommandRequested' }>): void {
    const d = event.data;
    const plan = this.plans.get(callId);
    const target = d.callControlId;
    switch (d.action) {
      case 'answer':
        if (!target) return;
        this.setClientState(target, decodeClientState(d.params.client_state) ?? null);
        this.after(this.latency.answer, () => this.webhook(callId, callAnswered(this.on(target))));
        return;
      case 'reject':
        if (target) this.after(this.latency.hangup, () => this.legHangsUp(target, 'call_rejected', 'callee'));
        return;
      case 'hangup':
        if (target) this.after(this.latency.hangup, () => this.legHangsUp(target, 'normal_clearing', 'unknown'));
        return;
      case 'gather_using_speak': {
        if (!target) return;
        const index = this.digitIndex.get(callId) ?? 0;
        this.digitIndex.set(callId, index + 1);
        const digits = plan?.digits[index] ?? '';
        this.after(digits === '' ? this.latency.gather + d.params.timeout_millis / 1000 : this.latency.gather, () =>
          this.webhook(callId, gatherEnded({ ...this.on(target), digits, status: digits === '' ? 'timeout' : 'valid' })),
        );
        return;
      }
      case 'speak':
        if (target) this.after(this.latency.speak, () => this.webhook(callId, speakEnded(this.on(target))));
        return;
      case 'enqueue':
        if (target) this.after(this.latency.enqueue, () => this.webhook(callId, callEnqueued({ ...this.on(target), queue: d.params.queue_name })));
        return;
      case 'bridge': {
        if (!target) return;
        const other = d.params.call_control_id;
        this.after(this.latency.bridge, () => {
          this.webhook(callId, callBridged(this.on(target)));
          this.webhook(callId, callBridged(this.on(other)));
        });
        return;
      }
      case 'record_start': {
        if (!target) return;
        const leg = this.legs.get(target);
        if (leg) leg.recordingStartedAt = this.now;
        if (d.params.channels === 'single' && plan) this.after(plan.voicemailSeconds ?? 20, () => this.legHangsUp(target, 'normal_clearing', 'caller'));
        return;
      }
      case 'dial':
        this.dial(callId, d.params.to, d.params.link_to ?? null, d.params.timeout_secs, decodeClientState(d.params.client_state) ?? null, d.params.record === 'record-from-answer');
        return;
      default:
        return;
    }
  }

  private setClientState(callControlId: string, clientState: ClientState | null): void {
    const leg = this.legs.get(callControlId);
    if (leg && clientState) leg.clientState = clientState;
  }

  private dial(callId: string, to: string, linkTo: string | null, timeoutSeconds: number, clientState: ClientState | null, recordFromAnswer: boolean): void {
    const session = linkTo ? (this.legs.get(linkTo)?.session ?? callId) : this.nextId('session');
    const callControlId = `v3:${this.nextId('leg')}`;
    const leg: SimLeg = { callControlId, session, clientState, ended: false, answered: false, recordingStartedAt: null };
    this.legs.set(callControlId, leg);
    const plan = this.plans.get(clientState?.callId ?? callId);
    this.after(this.latency.dial, () => this.webhook(callId, callInitiated({ ...this.on(callControlId), from: '+15550100010', to, direction: 'outgoing' })));
    const agentId = clientState?.role === 'agent' ? clientState.agentId : undefined;
    if (agentId !== undefined && plan?.declineBy?.includes(agentId)) {
      this.after(this.latency.dial + 2, () => this.legHangsUp(callControlId, 'call_rejected', 'callee'));
      return;
    }
    if (agentId !== undefined && plan?.noAnswerBy?.includes(agentId)) {
      this.after(this.latency.dial + timeoutSeconds, () => this.legHangsUp(callControlId, 'timeout', 'unknown'));
      return;
    }
    const answerAfter = clientState?.role === 'agent' ? (plan?.answerAfterSeconds ?? 3) : (plan?.answerAfterSeconds ?? 4);
    this.after(this.latency.dial + answerAfter, () => {
      if (leg.ended) return;
      if (recordFromAnswer) leg.recordingStartedAt = this.now;
      this.webhook(callId, callAnswered(this.on(callControlId)));
    });
  }

  ////////////////////////////////////////// Agents

  private planAgent(plan: AgentPlan): void {
    const agentId = plan.agentId;
    this.at(Date.parse(plan.loginAt), () => {
      this.agentCommand((meta) => ({ type: 'LogIn', data: { agentId }, metadata: meta }), agentId);
      this.agentCommand((meta) => ({ type: 'RegisterDevice', data: { agentId, credentialId: `cred-${agentId}`, sipUsername: sipUsernameFor(agentId) }, metadata: meta }), agentId);
    });
    for (const pause of plan.breaks ?? []) {
      this.at(Date.parse(pause.at), () => this.agentCommand((meta) => ({ type: 'ChangeStatus', data: { agentId, status: 'Break', reason: pause.reason ?? 'break' }, metadata: meta }), agentId));
      this.at(Date.parse(pause.at) + pause.seconds * 1000, () => this.agentCommand((meta) => ({ type: 'ChangeStatus', data: { agentId, status: 'Available' }, metadata: meta }), agentId));
    }
    if (plan.logoutAt) {
      const logOut = (): void => {
        const activity = this.agents.get(agentId)?.activity.kind;
        if (activity === 'OnCall' || activity === 'Reserved' || activity === 'Ringing') {
          this.after(30, logOut);
          return;
        }
        this.agentCommand((meta) => ({ type: 'LogOut', data: { agentId }, metadata: meta }), agentId);
      };
      this.at(Date.parse(plan.logoutAt), logOut);
    }
  }
}

/** Configuration commands of a center: the demo IVR, queues, hours and settings, with the given agents. */
export const centerConfigCommands = (now: string, agents: AgentProfile[] | null = null, changeQueue: (queue: QueueConfig) => QueueConfig = (q) => q): ConfigCommand[] => {
  const metadata = { now, commandId: 'seed', actor: 'system' };
  const commands = defaultConfigurationCommands(metadata).map((c): ConfigCommand => (c.type === 'ConfigureQueue' ? { ...c, data: { queue: changeQueue(c.data.queue) } } : c));
  if (agents === null) return commands;
  return [...commands.filter((c) => c.type !== 'ConfigureAgentProfile'), ...agents.map((agent): ConfigCommand => ({ type: 'ConfigureAgentProfile', data: { agent }, metadata }))];
};

import { AGENT_STREAM_PREFIX, isAgentEvent, type AgentEvent, type AgentState } from '../agents/agent';
import type { CallEvent, RecordingDownloadRequested } from '../calls/callEvents';
import type { TelnyxCommand } from '../calls/telnyxCommands';
import { timerCommandId, timersFor, type Timer } from '../calls/timers';
import { CALL_STREAM_PREFIX, callStreamId, decodeClientState, sipUsernameOf, type TelnyxWebhookData } from '../calls/webhook';
import { CONFIG_STREAM_PREFIX, type ContactCenterConfig } from '../config/config';
import type { RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { agentBySipUsername, emptyRoutingView, evolveRoutingView, type RoutingView, type WaitingEntry } from '../routing/routingView';
import type { CheckpointWrite, ReadModelDocument, WriteOp } from '../../projections/infrastructure/readModels/readModelStore';

/** A Telnyx command the call stream requested and whose outcome is not recorded yet. */
export interface PendingCommand {
  commandId: string;
  callId: string;
  streamId: string;
  /** Stream revision of the TelnyxCommandRequested event (a decimal string: documents hold JSON). */
  revision: string;
  /** The request's occurredAt: Telnyx drops a repeated command_id only within 60 s of the first. */
  requestedAt: string;
  callControlId: string | null;
  command: TelnyxCommand;
  causeId: string;
}

/** A recording Telnyx saved that is not in the recording store yet. */
export interface PendingDownload {
  recordingId: string;
  callId: string;
  kind: 'call' | 'voicemail';
  url: string | null;
  extension: 'mp3' | 'wav';
  requestedAt: string;
}

export type PendingTimer = Timer & { id: string };

/** An agent started calling back the caller of an ended call; their next outbound call to that number is that call back. */
export interface PendingCallBack {
  callId: string;
  /** The number as dialled digits (no formatting). */
  number: string;
  /** Epoch milliseconds of CallBackStarted. */
  at: number;
}

/** The digits of a number, to compare what was asked for with what the softphone dialled. */
export const dialledDigits = (number: string): string => number.replace(/^sip:/, '').replace(/@.*$/, '').replace(/[^0-9+]/g, '');

/** A leg ringing or connected on an agent's (or supervisor's) device, as the webhooks show it. */
export interface AgentLeg {
  agentId: string;
  answered: boolean;
  lastSeen: string;
}

/** An agent leg not heard of for this long is taken as gone (a lost hangup webhook must not block the agent). */
const UNANSWERED_LEG_TTL_MS = 10 * 60_000;
const ANSWERED_LEG_TTL_MS = 4 * 3_600_000;
const ENDED_LEGS_KEPT = 20_000;

/** What the state tells the reactor's I/O parts as events fold into it. */
export interface StateListener {
  timerAdded(timer: PendingTimer): void;
  timerRemoved(id: string): void;
  commandRequested(command: PendingCommand): void;
  commandSettled(commandId: string): void;
  downloadRequested(download: PendingDownload): void;
  downloadSettled(recordingId: string): void;
}

export const REACTOR_COLLECTION = 'reactor';
export const REACTOR_CHECKPOINT = 'reactor';

type DocBody = Record<string, unknown>;

const ROUTED_CALL_EVENTS = new Set(['CallQueued', 'CallLeftQueue', 'CallbackRequested', 'CallOffered', 'CallReturnedToQueue', 'CallEnded', 'RoutingDecisionMade']);

/** Agent, waiting-call and configuration changes that can make a routing pass match something new. */
const ROUTING_TRIGGERS = new Set([
  'CallQueued',
  'CallReturnedToQueue',
  'CallbackRequested',
  'AgentLoggedIn',
  'AgentStatusChanged',
  'AgentDeviceRegistered',
  'AgentReservationReleased',
  'AgentOfferMissed',
  'AgentOfferRejected',
  'AgentCallEnded',
  'AgentWrapUpCompleted',
]);

export interface FoldResult {
  /** The event may let a waiting call be matched: run a routing pass. */
  routing: boolean;
  /** The agent this event made routable, if any (for latency figures). */
  agentBecameRoutable: string | null;
}

const routable = (agent: AgentState | undefined): boolean =>
  agent !== undefined && agent.status === 'Available' && agent.activity.kind === 'Idle' && agent.device?.registered === true;

/**
 * The reactor's own state, folded from $all and saved with its checkpoint: the routing view, the commands
 * requested without an outcome, the recordings not downloaded yet, the pending timers and the last
 * recorded waiting reason of each call. Saved as one document per entry, only those changed since the
 * last save, in the same fenced write as the checkpoint.
 */
export class ReactorState {
  view: RoutingView = emptyRoutingView();
  readonly pendingCommands = new Map<string, PendingCommand>();
  readonly pendingDownloads = new Map<string, PendingDownload>();
  readonly timers = new Map<string, PendingTimer>();
  private readonly timersByStream = new Map<string, Set<string>>();
  readonly waitingReasons = new Map<string, string | null>();
  readonly agentLegs = new Map<string, AgentLeg>();
  /** Call backs started by each agent (CallBackStarted), until their outbound call names it (OutboundCallStarted.callBackOf). */
  readonly callBacks = new Map<string, PendingCallBack>();
  private readonly endedLegs = new Set<string>();
  /** Position of the last event folded in (-1n: none). */
  foldedThrough = -1n;
  private seq = 0n;
  private readonly dirty = new Set<string>();
  private readonly persisted = new Set<string>();

  constructor(private readonly listener: StateListener) {}

  get config(): ContactCenterConfig {
    return this.view.config;
  }

  // ---------------------------------------------------------------- fold

  fold(event: RecordedEvent): FoldResult {
    this.foldedThrough = event.position;
    const result: FoldResult = { routing: false, agentBecameRoutable: null };
    const stream = event.streamId;
    const isCall = stream.startsWith(CALL_STREAM_PREFIX);
    const isAgent = stream.startsWith(AGENT_STREAM_PREFIX) && isAgentEvent(event);
    const isConfig = stream.startsWith(CONFIG_STREAM_PREFIX);
    if (!isCall && !isAgent && !isConfig) return result;

    if (isCall && event.type === 'TelnyxWebhookReceived' && this.foldAgentLeg(event.data as TelnyxWebhookData)) result.routing = true;
    if (isConfig || isAgent || ROUTED_CALL_EVENTS.has(event.type)) this.foldView(event, result);
    if (isCall) this.foldCall(event as unknown as RecordedEvent<CallEvent['type']> & CallEvent);
    if (isAgent) this.foldAgentTimers(event as unknown as AgentEvent);
    if (isCall || isAgent) {
      for (const timer of timersFor(event as unknown as CallEvent | AgentEvent)) this.addTimer({ ...timer, id: timerCommandId(timer) });
    }
    return result;
  }

  private foldView(event: RecordedEvent, result: FoldResult): void {
    const before = this.view;
    const agentId = isAgentEvent(event) ? (event.data as { agentId: string }).agentId : null;
    const wasRoutable = agentId !== null && routable(before.agents[agentId]);
    this.view = evolveRoutingView(before, event);
    const after = this.view;
    if (after.config !== before.config) {
      this.mark('config');
      result.routing = true;
    }
    if (after.roundRobinPointers !== before.roundRobinPointers) this.mark('pointers');
    if (agentId !== null && after.agents[agentId] !== before.agents[agentId]) {
      this.mark(`agent:${agentId}`);
      if (!wasRoutable && routable(after.agents[agentId])) result.agentBecameRoutable = agentId;
    }
    if (after.waiting !== before.waiting) {
      const callId = (event.data as { callId?: string }).callId;
      if (callId !== undefined) this.mark(`waiting:${callId}`);
    }
    if (ROUTING_TRIGGERS.has(event.type) || result.agentBecameRoutable !== null) result.routing = true;
  }

  private foldCall(event: CallEvent): void {
    switch (event.type) {
      case 'TelnyxCommandRequested': {
        const d = event.data;
        const pending = pendingCommandOf(d, (event as unknown as RecordedEvent).revision);
        this.pendingCommands.set(d.commandId, pending);
        this.mark(`cmd:${d.commandId}`);
        if (pending.command.action === 'dial') this.dialRequested(d.commandId, pending.command.params.client_state, d.occurredAt);
        this.listener.commandRequested(pending);
        return;
      }
      case 'TelnyxCommandAccepted':
      case 'TelnyxCommandFailed':
        if (this.pendingCommands.delete(event.data.commandId)) this.mark(`cmd:${event.data.commandId}`);
        if (event.data.action === 'dial') this.dialSettled(event.data.commandId, event.type === 'TelnyxCommandAccepted' ? (event.data.result.callControlId ?? null) : null, event.data.occurredAt);
        this.listener.commandSettled(event.data.commandId);
        return;
      case 'RecordingDownloadRequested': {
        const download = pendingDownloadOf(event);
        this.pendingDownloads.set(download.recordingId, download);
        this.mark(`rec:${download.recordingId}`);
        this.listener.downloadRequested(download);
        return;
      }
      case 'RecordingStored':
      case 'RecordingDownloadFailed':
        if (this.pendingDownloads.delete(event.data.recordingId)) this.mark(`rec:${event.data.recordingId}`);
        this.listener.downloadSettled(event.data.recordingId);
        return;
      case 'RoutingDecisionMade':
        if (event.data.chosen.length === 0 && this.view.waiting[event.data.callId]) this.setReason(event.data.callId, event.data.waitingReason ?? null);
        return;
      case 'CallQueued':
        this.setReason(event.data.callId, null);
        return;
      case 'CallOffered':
        if (event.data.purpose !== 'consult') this.setReason(event.data.callId, null);
        return;
      case 'CallLeftQueue':
        this.removeTimers(callStreamId(event.data.callId), (t) => t.command.type === 'CheckQueueTimers');
        if (!this.view.waiting[event.data.callId]) this.dropReason(event.data.callId);
        return;
      case 'CallEnded':
        this.removeTimers(callStreamId(event.data.callId), () => true);
        this.dropReason(event.data.callId);
        return;
      case 'CallBackStarted':
        this.callBacks.set(event.data.agentId, { callId: event.data.callId, number: dialledDigits(event.data.number), at: Date.parse(event.data.occurredAt) });
        this.mark(`callback:${event.data.agentId}`);
        return;
      case 'OutboundCallStarted':
        if (event.data.callBackOf && this.callBacks.get(event.data.agentId)?.callId === event.data.callBackOf) this.dropCallBack(event.data.agentId);
        return;
      default:
        return;
    }
  }

  /** The pending call back of an agent is used (or too old to be one). */
  dropCallBack(agentId: string): void {
    if (this.callBacks.delete(agentId)) this.mark(`callback:${agentId}`);
  }

  /** An agent's reservation and wrap-up timers are dropped once the agent has moved on. */
  private foldAgentTimers(event: AgentEvent): void {
    const agentId = event.data.agentId;
    const agent = this.view.agents[agentId];
    this.removeTimers(`${AGENT_STREAM_PREFIX}${agentId}`, (t) => {
      const data = t.command.data as { offerId?: string; callId?: string };
      const activity = agent?.activity;
      if (t.command.type === 'ExpireReservation') {
        return !(activity && (activity.kind === 'Reserved' || activity.kind === 'Ringing') && activity.offerId === data.offerId);
      }
      if (t.command.type === 'ExpireWrapUp') {
        return !(activity && activity.kind === 'WrapUp' && activity.callId === data.callId);
      }
      return false;
    });
  }

  /**
   * Tracks the legs ringing or up on agents' devices, so a routing pass never dials a device that is still
   * busy. True when an agent's device just became free.
   */
  private foldAgentLeg(webhook: TelnyxWebhookData): boolean {
    const callControlId = webhook.callControlId ?? webhook.payload.call_control_id ?? null;
    if (!callControlId) return false;
    const key = `leg:${callControlId}`;
    if (webhook.eventType === 'call.hangup') {
      this.endedLegs.add(callControlId);
      if (this.endedLegs.size > ENDED_LEGS_KEPT) {
        const oldest = this.endedLegs.values().next();
        if (!oldest.done) this.endedLegs.delete(oldest.value);
      }
      if (!this.agentLegs.delete(callControlId)) return false;
      this.mark(key);
      return true;
    }
    if (this.endedLegs.has(callControlId)) return false;
    const clientState = decodeClientState(webhook.payload.client_state);
    let agentId: string | undefined;
    if (clientState?.role === 'agent') agentId = clientState.agentId;
    else if (clientState?.role === 'supervisor') agentId = clientState.supervisorId;
    else if (!clientState && webhook.payload.direction === 'outgoing') {
      const sipUsername = sipUsernameOf(webhook.payload.from_sip_uri ?? webhook.payload.from);
      agentId = sipUsername ? agentBySipUsername(this.view, sipUsername) : undefined;
    }
    const known = this.agentLegs.get(callControlId);
    if (!agentId && !known) return false;
    const answered = (known?.answered ?? false) || webhook.eventType === 'call.answered' || webhook.eventType === 'call.bridged';
    const lastSeen = known && known.lastSeen > webhook.occurredAt ? known.lastSeen : webhook.occurredAt;
    this.agentLegs.set(callControlId, { agentId: agentId ?? known?.agentId ?? '', answered, lastSeen });
    this.mark(key);
    return false;
  }

  /** A dial to an agent's (or supervisor's) device: busy from the decision on, before any webhook of the leg. */
  private dialRequested(commandId: string, clientState: string, at: string): void {
    const dialled = decodeClientState(clientState);
    const agentId = dialled?.role === 'agent' ? dialled.agentId : dialled?.role === 'supervisor' ? dialled.supervisorId : undefined;
    if (!agentId) return;
    this.agentLegs.set(`dial:${commandId}`, { agentId, answered: false, lastSeen: at });
    this.mark(`leg:dial:${commandId}`);
  }

  /** The dial was answered with the leg's id (tracked by its webhooks from now on), or refused (no leg). */
  private dialSettled(commandId: string, callControlId: string | null, at: string): void {
    const pending = this.agentLegs.get(`dial:${commandId}`);
    if (!pending) return;
    this.agentLegs.delete(`dial:${commandId}`);
    this.mark(`leg:dial:${commandId}`);
    if (callControlId === null || this.endedLegs.has(callControlId)) return;
    const known = this.agentLegs.get(callControlId);
    this.agentLegs.set(callControlId, known ?? { ...pending, lastSeen: at > pending.lastSeen ? at : pending.lastSeen });
    this.mark(`leg:${callControlId}`);
  }

  /** Agents whose device has a leg ringing or up (as far as the webhooks tell) at `nowMs`. */
  agentsWithLiveLegs(nowMs: number): Set<string> {
    const busy = new Set<string>();
    for (const leg of this.agentLegs.values()) {
      const age = nowMs - Date.parse(leg.lastSeen);
      if (age < (leg.answered ? ANSWERED_LEG_TTL_MS : UNANSWERED_LEG_TTL_MS)) busy.add(leg.agentId);
    }
    return busy;
  }

  private setReason(callId: string, reason: string | null): void {
    if (this.waitingReasons.get(callId) === reason && this.waitingReasons.has(callId)) return;
    this.waitingReasons.set(callId, reason);
    this.mark(`reason:${callId}`);
  }

  private dropReason(callId: string): void {
    if (this.waitingReasons.delete(callId)) this.mark(`reason:${callId}`);
  }

  /** Remembers a waiting reason the reactor is recording now, so the next pass does not record it again. */
  noteWaitingReason(callId: string, reason: string | null): void {
    if (this.view.waiting[callId]) this.setReason(callId, reason);
  }

  // ---------------------------------------------------------------- timers

  addTimer(timer: PendingTimer): void {
    if (this.timers.has(timer.id)) return;
    this.timers.set(timer.id, timer);
    let ids = this.timersByStream.get(timer.streamId);
    if (!ids) this.timersByStream.set(timer.streamId, (ids = new Set()));
    ids.add(timer.id);
    this.mark(`timer:${timer.id}`);
    this.listener.timerAdded(timer);
  }

  /** The timer's command was handled: it is not needed after a restart. */
  timerDone(id: string): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    this.timers.delete(id);
    this.timersByStream.get(timer.streamId)?.delete(id);
    if (this.timersByStream.get(timer.streamId)?.size === 0) this.timersByStream.delete(timer.streamId);
    this.mark(`timer:${id}`);
  }

  private removeTimers(streamId: string, which: (timer: PendingTimer) => boolean): void {
    const ids = this.timersByStream.get(streamId);
    if (!ids) return;
    for (const id of [...ids]) {
      const timer = this.timers.get(id);
      if (timer && which(timer)) {
        this.timerDone(id);
        this.listener.timerRemoved(id);
      }
    }
  }

  // ---------------------------------------------------------------- persistence

  private mark(key: string): void {
    this.dirty.add(key);
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  private body(key: string): DocBody | null {
    const [kind, ...rest] = key.split(':');
    const id = rest.join(':');
    switch (kind) {
      case 'config':
        return { config: this.view.config };
      case 'pointers':
        return { pointers: this.view.roundRobinPointers };
      case 'agent': {
        const agent = this.view.agents[id];
        return agent ? { agent } : null;
      }
      case 'waiting': {
        const waiting = this.view.waiting[id];
        return waiting ? { waiting } : null;
      }
      case 'reason':
        return this.waitingReasons.has(id) ? { reason: this.waitingReasons.get(id) ?? null } : null;
      case 'leg': {
        const leg = this.agentLegs.get(id);
        return leg ? { leg } : null;
      }
      case 'cmd': {
        const command = this.pendingCommands.get(id);
        return command ? { command } : null;
      }
      case 'rec': {
        const download = this.pendingDownloads.get(id);
        return download ? { download } : null;
      }
      case 'timer': {
        const timer = this.timers.get(id);
        return timer ? { timer } : null;
      }
      case 'callback': {
        const callBack = this.callBacks.get(id);
        return callBack ? { callBack } : null;
      }
      default:
        return null;
    }
  }

  /**
   * The documents changed since the last save and the fenced checkpoint, as one atomic write. The
   * document guard is a save counter (not an event position): a doc can change without a new event.
   * Call `saved()` once the write went through; after a failure the same changes are written next time.
   */
  snapshotWrite(checkpointPosition: bigint, epoch: number): { ops: WriteOp[]; checkpoint: CheckpointWrite; saved: () => void; failed: () => void } {
    const seq = this.seq + 1n;
    const keys = [...this.dirty];
    this.dirty.clear();
    const ops: WriteOp[] = [];
    const written: Array<{ key: string; present: boolean }> = [];
    for (const key of keys) {
      const body = this.body(key);
      if (body) {
        ops.push({ kind: 'upsert', collection: REACTOR_COLLECTION, doc: { _id: key, ...body }, position: seq });
        written.push({ key, present: true });
      } else if (this.persisted.has(key)) {
        ops.push({ kind: 'delete', collection: REACTOR_COLLECTION, id: key, position: seq });
        written.push({ key, present: false });
      } else {
        written.push({ key, present: false });
      }
    }
    ops.push({ kind: 'upsert', collection: REACTOR_COLLECTION, doc: { _id: 'meta', foldedThrough: this.foldedThrough.toString(), seq: seq.toString() }, position: seq });
    return {
      ops,
      checkpoint: { name: REACTOR_CHECKPOINT, position: checkpointPosition, epoch },
      saved: () => {
        this.seq = seq;
        for (const { key, present } of written) {
          if (present) this.persisted.add(key);
          else this.persisted.delete(key);
        }
      },
      failed: () => {
        for (const key of keys) this.dirty.add(key);
      },
    };
  }

  /** Restores the state saved by `snapshotWrite` (without telling the listener: the caller starts its parts afterwards). */
  load(docs: readonly ReadModelDocument[]): void {
    const agents: Record<string, AgentState> = {};
    const waiting: Record<string, WaitingEntry> = {};
    let config = this.view.config;
    let pointers = this.view.roundRobinPointers;
    for (const doc of docs) {
      const key = doc._id;
      this.persisted.add(key);
      const [kind, ...rest] = key.split(':');
      const id = rest.join(':');
      switch (kind) {
        case 'meta':
          this.foldedThrough = BigInt(doc.foldedThrough as string);
          this.seq = BigInt(doc.seq as string);
          break;
        case 'config':
          config = doc.config as ContactCenterConfig;
          break;
        case 'pointers':
          pointers = doc.pointers as Record<string, string>;
          break;
        case 'agent':
          agents[id] = doc.agent as AgentState;
          break;
        case 'waiting':
          waiting[id] = doc.waiting as WaitingEntry;
          break;
        case 'reason':
          this.waitingReasons.set(id, (doc.reason as string | null) ?? null);
          break;
        case 'leg':
          this.agentLegs.set(id, doc.leg as AgentLeg);
          break;
        case 'cmd':
          this.pendingCommands.set(id, doc.command as PendingCommand);
          break;
        case 'rec':
          this.pendingDownloads.set(id, doc.download as PendingDownload);
          break;
        case 'callback':
          this.callBacks.set(id, doc.callBack as PendingCallBack);
          break;
        case 'timer': {
          const timer = doc.timer as PendingTimer;
          this.timers.set(id, timer);
          let ids = this.timersByStream.get(timer.streamId);
          if (!ids) this.timersByStream.set(timer.streamId, (ids = new Set()));
          ids.add(id);
          break;
        }
        default:
          break;
      }
    }
    this.view = { config, agents, waiting, roundRobinPointers: pointers };
  }
}

export const pendingCommandOf = (d: Extract<CallEvent, { type: 'TelnyxCommandRequested' }>['data'], revision: bigint): PendingCommand => {
  const { action, params } = d;
  return {
    commandId: d.commandId,
    callId: d.callId,
    streamId: callStreamId(d.callId),
    revision: String(revision),
    requestedAt: d.occurredAt,
    callControlId: d.callControlId,
    command: { action, params } as TelnyxCommand,
    causeId: d.causeId,
  };
};

const pendingDownloadOf = (event: RecordingDownloadRequested): PendingDownload => {
  const { urls } = event.data;
  const url = urls.mp3 ?? urls.wav ?? null;
  return {
    recordingId: event.data.recordingId,
    callId: event.data.callId,
    kind: event.data.kind,
    url,
    extension: urls.mp3 ? 'mp3' : 'wav',
    requestedAt: event.data.occurredAt,
  };
};

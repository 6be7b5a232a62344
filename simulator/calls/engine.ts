import type { SimClock, TimerHandle } from '../clock';
import type { SimulatorOptions } from '../config';
import type { Counters } from '../counters';
import { apiErrors } from '../errors';
import { newCallControlId, newUuid } from '../ids';
import type { SimLogger } from '../logger';
import type { WebhookEvent } from '../webhooks/dispatcher';
import type { ActionName, ActionParams, DialParams } from './commands';
import {
  SIP_CAUSE,
  isAlive,
  type DequeueReason,
  type FarEnd,
  type GatherState,
  type HangupCause,
  type HangupSource,
  type Leg,
  type MediaItem,
  type RecordingChannels,
  type SipHeader,
} from './model';
import type { QueueStore } from './queues';
import type { RecordingStore, SavedRecording } from './recordings';

const DEFAULT_RING_TIMEOUT_SECS = 30;
const ROUTE_FAILURE_DELAY_MS = 100;

export type Command = { [A in ActionName]: { action: A; params: ActionParams<A> } }[ActionName];

export interface DialResult {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  is_alive: boolean;
  record_type: 'call';
  client_state?: string;
}

export type Destination = FarEnd | { failure: 'not_found' | 'user_busy' };

export interface EngineDeps {
  clock: SimClock;
  logger: SimLogger;
  counters: Counters;
  emit: (event: WebhookEvent, leg: Leg) => void;
  recordings: RecordingStore;
  queues: QueueStore;
  options: Pick<
    SimulatorOptions,
    'connectionId' | 'credentialConnectionId' | 'playbackDurationMs' | 'speakMsPerChar' | 'legRetentionMs' | 'commandIdWindowMs'
  >;
  /** Who answers a dialed `to` (an agent device, a callee), or why nobody can. */
  resolve: (to: string, leg: Leg) => Destination;
}

interface LegInit {
  direction: Leg['direction'];
  state: Leg['state'];
  from: string;
  to: string;
  sessionId?: string;
  connectionId: string;
  callingPartyType: Leg['callingPartyType'];
  farEnd: FarEnd;
  farEndOriginated: boolean;
  clientState?: string | null;
  customHeaders?: SipHeader[];
  callerIdName?: string;
  webhookUrl?: string;
}

type EngineLeg = Leg & { farEndOriginated: boolean };

const NOBODY: FarEnd = { kind: 'callee', label: 'nobody' };

/**
 * The simulated Call Control platform: legs, their states and media, queues, bridges,
 * recordings, transcription and supervisors. Commands come from the REST API, far-end actions
 * from the simulated world; every change is reported as the webhook Telnyx would send.
 */
export class CallEngine {
  private readonly legs = new Map<string, EngineLeg>();
  private readonly sessions = new Map<string, Set<string>>();
  private readonly dialCommands = new Map<string, { at: number; result: DialResult }>();
  private lastSweep = 0;
  private lastSweepReal = 0;

  constructor(private readonly deps: EngineDeps) {}

  // ---------------------------------------------------------------- queries

  get(callControlId: string): Leg | undefined {
    return this.legs.get(callControlId);
  }

  all(): Leg[] {
    return [...this.legs.values()];
  }

  status(callControlId: string): Record<string, unknown> {
    const leg = this.legs.get(callControlId);
    if (!leg) throw apiErrors.invalidCallControlId();
    const { clock } = this.deps;
    const end = leg.endedAt ?? clock.now();
    const data: Record<string, unknown> = {
      record_type: 'call',
      call_control_id: leg.callControlId,
      call_leg_id: leg.callLegId,
      call_session_id: leg.callSessionId,
      is_alive: isAlive(leg),
      client_state: leg.clientState ?? undefined,
      call_duration: leg.answeredAt !== undefined ? Math.round((end - leg.answeredAt) / 1000) : 0,
      start_time: clock.iso(leg.startedAt),
    };
    if (leg.endedAt !== undefined) data.end_time = clock.iso(leg.endedAt);
    return data;
  }

  queueNames(): string[] {
    return this.deps.queues.list().map((q) => q.name);
  }

  queueInfo(name: string): Record<string, unknown> {
    const q = this.deps.queues.get(name);
    if (!q) throw apiErrors.notFound(`Queue '${name}'`);
    const { clock } = this.deps;
    return {
      record_type: 'queue',
      id: q.id,
      name: q.name,
      current_size: q.members.length,
      max_size: q.maxSize,
      average_wait_time_secs: this.deps.queues.averageWaitSecs(name),
      created_at: clock.iso(q.createdAt),
      updated_at: clock.iso(q.updatedAt),
    };
  }

  queueCalls(name: string): Record<string, unknown>[] {
    const q = this.deps.queues.get(name);
    if (!q) throw apiErrors.notFound(`Queue '${name}'`);
    const now = this.deps.clock.now();
    return q.members.map((id, index) => {
      const leg = this.legs.get(id)!;
      const enqueuedAt = leg.queue?.enqueuedAt ?? now;
      return {
        record_type: 'queue_call',
        call_control_id: leg.callControlId,
        call_leg_id: leg.callLegId,
        call_session_id: leg.callSessionId,
        connection_id: leg.connectionId,
        from: leg.from,
        to: leg.to,
        enqueued_at: this.deps.clock.iso(enqueuedAt),
        queue_id: q.id,
        queue_position: index + 1,
        wait_time_secs: Math.round((now - enqueuedAt) / 1000),
        is_alive: isAlive(leg),
      };
    });
  }

  // ---------------------------------------------------------------- REST commands

  dial(p: DialParams): DialResult {
    const { clock, options } = this.deps;
    const now = clock.now();
    this.sweep(now);
    if (p.command_id) {
      const prior = this.dialCommands.get(p.command_id);
      if (prior && now - prior.at < this.deps.options.commandIdWindowMs) {
        this.deps.counters.duplicateCommand('dial');
        return prior.result;
      }
    }
    if (p.connection_id !== options.connectionId && p.connection_id !== options.credentialConnectionId) {
      throw apiErrors.invalidParameter('connection_id', `no connection '${p.connection_id}' on this account`);
    }
    if ((p.bridge_intent || p.bridge_on_answer || p.park_after_unbridge) && !p.link_to) throw apiErrors.missingParameter('link_to');
    if (p.supervisor_role && !p.supervise_call_control_id) throw apiErrors.missingParameter('supervise_call_control_id');
    const link = p.link_to ? this.requireOther(p.link_to, 'link_to') : undefined;
    const supervised = p.supervise_call_control_id ? this.requireOther(p.supervise_call_control_id, 'supervise_call_control_id') : undefined;
    if (supervised && supervised.state !== 'answered' && supervised.state !== 'bridged') {
      throw apiErrors.invalidState('The call to supervise is not answered.');
    }
    const targets = Array.isArray(p.to) ? p.to : [p.to];
    const sessionId = link?.callSessionId ?? supervised?.callSessionId ?? newUuid();
    const from = p.bridge_intent && link ? link.from : p.from;
    const group = targets.length > 1 ? { legs: [] as string[] } : undefined;
    const created = targets.map((to) => {
      const leg = this.createLeg({
        direction: 'outgoing',
        state: 'ringing',
        from,
        to,
        sessionId,
        connectionId: p.connection_id,
        callingPartyType: to.startsWith('sip:') ? 'sip' : 'pstn',
        farEnd: NOBODY,
        farEndOriginated: false,
        clientState: p.client_state ?? null,
        customHeaders: p.custom_headers ?? [],
        callerIdName: p.from_display_name,
        webhookUrl: p.webhook_url,
      });
      leg.linkTo = p.link_to;
      leg.bridgeOnAnswer = p.bridge_on_answer ?? false;
      leg.parkAfterUnbridge = p.park_after_unbridge === 'self';
      leg.timeLimitSecs = p.time_limit_secs;
      if (p.record) leg.recordFromAnswer = { channels: p.record_channels ?? 'dual', format: p.record_format ?? 'mp3', maxLengthSecs: p.record_max_length };
      if (supervised) {
        leg.supervisor = { supervisedId: supervised.callControlId, role: p.supervisor_role ?? 'barge' };
        supervised.supervisors.add(leg.callControlId);
      }
      if (group) {
        group.legs.push(leg.callControlId);
        leg.ringGroup = group;
      }
      return leg;
    });
    const first = created[0]!;
    const result: DialResult = {
      call_control_id: first.callControlId,
      call_leg_id: first.callLegId,
      call_session_id: first.callSessionId,
      is_alive: false,
      record_type: 'call',
    };
    if (p.client_state) result.client_state = p.client_state;
    if (p.command_id) this.dialCommands.set(p.command_id, { at: now, result });
    for (const leg of created) this.startRinging(leg, p.timeout_secs ?? DEFAULT_RING_TIMEOUT_SECS);
    return result;
  }

  /** Runs one action on a leg: command_id dedupe, then the ended-leg check, then the action. */
  execute(callControlId: string, command: Command): Record<string, unknown> {
    const leg = this.legs.get(callControlId);
    if (!leg) throw apiErrors.invalidCallControlId();
    const now = this.deps.clock.now();
    const commandId = command.params.command_id;
    if (commandId !== undefined) {
      const at = leg.commandIds.get(commandId);
      if (at !== undefined && now - at < this.deps.options.commandIdWindowMs) {
        this.deps.counters.duplicateCommand(command.action);
        return { result: 'ok' };
      }
    }
    if (!isAlive(leg)) throw apiErrors.legGone();
    const previousState = leg.clientState;
    // Telnyx echoes a command's client_state on the webhooks that command causes.
    if (command.params.client_state !== undefined) leg.clientState = command.params.client_state;
    let result: Record<string, unknown>;
    try {
      result = this.run(leg, command);
    } catch (err) {
      leg.clientState = previousState;
      throw err;
    }
    if (commandId !== undefined) leg.commandIds.set(commandId, now);
    return result;
  }

  private run(leg: EngineLeg, command: Command): Record<string, unknown> {
    switch (command.action) {
      case 'answer':
        this.cmdAnswer(leg, command.params);
        break;
      case 'reject':
        if (leg.state !== 'parked' || leg.direction !== 'incoming' || leg.answeredAt !== undefined) {
          throw apiErrors.invalidState('Only an incoming call that has not been answered can be rejected.');
        }
        this.endLeg(leg, command.params.cause === 'USER_BUSY' ? 'user_busy' : 'call_rejected', this.appSide(leg), true);
        break;
      case 'hangup':
        if (leg.state === 'ringing') this.endLeg(leg, 'originator_cancel', this.appSide(leg), true);
        else this.endLeg(leg, 'normal_clearing', this.appSide(leg), true);
        break;
      case 'speak': {
        const p = command.params;
        this.requireMedia(leg);
        this.applyStop(leg, p.stop);
        const loops = loopCount(p.loop);
        const per = this.speakMs(p.payload, p.payload_type);
        this.enqueueMedia(leg, { kind: 'speak', durationMs: loops === null ? null : per * loops, overlay: false });
        break;
      }
      case 'gather':
        this.requireMedia(leg);
        this.startGather(leg, {
          kind: 'gather',
          gatherId: command.params.gather_id ?? newUuid(),
          minimumDigits: command.params.minimum_digits ?? 1,
          maximumDigits: command.params.maximum_digits ?? 128,
          validDigits: command.params.valid_digits ?? '0123456789#*',
          terminatingDigit: command.params.terminating_digit ?? '#',
          firstDigitTimeoutMs: command.params.initial_timeout_millis ?? 5_000,
          interDigitTimeoutMs: command.params.inter_digit_timeout_millis ?? 5_000,
          overallTimeoutMs: command.params.timeout_millis ?? 60_000,
          maximumTries: 1,
          promptMs: 0,
          invalidPromptMs: 0,
        });
        break;
      case 'gather_using_speak': {
        const p = command.params;
        this.requireMedia(leg);
        this.startGather(leg, {
          kind: 'gather_using_speak',
          minimumDigits: p.minimum_digits ?? 1,
          maximumDigits: p.maximum_digits ?? 128,
          validDigits: p.valid_digits ?? '0123456789#*',
          terminatingDigit: p.terminating_digit ?? '#',
          firstDigitTimeoutMs: p.timeout_millis ?? 60_000,
          interDigitTimeoutMs: p.inter_digit_timeout_millis ?? 5_000,
          maximumTries: p.maximum_tries ?? 3,
          promptMs: this.speakMs(p.payload, p.payload_type),
          invalidPromptMs: p.invalid_payload ? this.speakMs(p.invalid_payload, p.payload_type) : 0,
        });
        break;
      }
      case 'gather_stop':
        if (leg.gather) {
          const g = leg.gather;
          this.finishGather(leg, g.digits.length > 0 && this.gatherValid(g) ? 'valid' : 'cancelled');
        }
        break;
      case 'playback_start': {
        const p = command.params;
        this.requireMedia(leg);
        if (!p.overlay) this.applyStop(leg, p.stop);
        const loops = loopCount(p.loop);
        this.enqueueMedia(leg, {
          kind: 'playback',
          durationMs: loops === null ? null : this.deps.options.playbackDurationMs * loops,
          mediaUrl: p.audio_url,
          mediaName: p.media_name,
          overlay: p.overlay ?? false,
        });
        break;
      }
      case 'playback_stop':
        if (command.params.overlay) {
          for (const item of [...leg.media.overlays]) this.mediaEnded(leg, item, 'cancelled');
        } else {
          this.applyStop(leg, command.params.stop ?? 'all');
        }
        break;
      case 'enqueue':
        this.cmdEnqueue(leg, command.params);
        break;
      case 'leave_queue':
        if (!leg.queue) throw apiErrors.invalidState('The call is not in a queue.');
        this.dequeue(leg, 'leave');
        break;
      case 'bridge':
        this.cmdBridge(leg, command.params);
        break;
      case 'transfer':
        this.cmdTransfer(leg, command.params);
        break;
      case 'record_start': {
        const p = command.params;
        this.requireMedia(leg);
        const rec = this.startRecording(leg, p.channels, p.format, p.max_length);
        return { result: 'ok', recording_id: rec };
      }
      case 'record_stop': {
        const rec = this.requireRecording(leg, command.params.recording_id);
        const saved = this.closeRecording(leg);
        if (saved) this.emitRecordingSaved(leg, saved);
        return { result: 'ok', recording_id: rec };
      }
      case 'record_pause': {
        this.requireRecording(leg, command.params.recording_id);
        const rec = leg.recording!;
        if (rec.segmentStart !== null) {
          rec.recordedMs += this.deps.clock.now() - rec.segmentStart;
          rec.segmentStart = null;
        }
        break;
      }
      case 'record_resume': {
        this.requireRecording(leg, command.params.recording_id);
        const rec = leg.recording!;
        if (rec.segmentStart === null) rec.segmentStart = this.deps.clock.now();
        break;
      }
      case 'transcription_start':
        this.requireMedia(leg);
        leg.transcription = {
          tracks: command.params.transcription_tracks ?? 'inbound',
          engine: command.params.transcription_engine ?? 'Google',
        };
        break;
      case 'transcription_stop':
        leg.transcription = undefined;
        break;
      case 'send_dtmf':
        this.requireMedia(leg);
        break;
      case 'switch_supervisor_role':
        if (!leg.supervisor) throw apiErrors.invalidState('The call is not a supervisor call.');
        leg.supervisor.role = command.params.role;
        break;
      case 'client_state_update':
        leg.clientState = command.params.client_state;
        break;
      default: {
        const never: never = command;
        throw apiErrors.notFound(`Action '${(never as { action: string }).action}'`);
      }
    }
    return { result: 'ok' };
  }

  private cmdAnswer(leg: EngineLeg, p: ActionParams<'answer'>): void {
    if (leg.state !== 'parked' || leg.answeredAt !== undefined) {
      throw apiErrors.invalidState(
        leg.state === 'ringing' ? 'The call is an outgoing call that is still ringing.' : 'The call has already been answered.',
      );
    }
    const now = this.deps.clock.now();
    leg.state = 'answered';
    leg.answeredAt = now;
    this.emit(leg, 'call.answered', { ...this.parties(leg), start_time: this.deps.clock.iso(leg.startedAt), state: 'answered', custom_headers: leg.customHeaders });
    if (p.record) this.startRecording(leg, p.record_channels ?? 'dual', p.record_format ?? 'mp3', p.record_max_length);
    leg.farEnd.answered?.(leg);
  }

  private cmdEnqueue(leg: EngineLeg, p: ActionParams<'enqueue'>): void {
    if (leg.state !== 'answered') {
      throw apiErrors.invalidState(leg.state === 'bridged' ? 'A bridged call cannot be enqueued.' : 'The call must be answered before it is enqueued.');
    }
    if (leg.queue) throw apiErrors.invalidState(`The call is already in queue '${leg.queue.name}'.`);
    const { clock, queues } = this.deps;
    const now = clock.now();
    const q = queues.ensure(p.queue_name, p.max_size, now);
    if (q.members.length >= q.maxSize) throw apiErrors.invalidState(`Queue '${q.name}' is full (max_size ${q.maxSize}).`);
    const position = queues.add(q, leg.callControlId, now);
    leg.queue = { name: q.name, enqueuedAt: now };
    if (p.max_wait_time_secs) {
      leg.queue.maxWaitTimer = clock.setTimeout(() => {
        if (leg.queue?.name === q.name) this.dequeue(leg, 'timeout');
      }, p.max_wait_time_secs * 1000);
    }
    this.emit(leg, 'call.enqueued', { queue: q.name, current_position: position, queue_avg_wait_time_secs: queues.averageWaitSecs(q.name) });
    leg.farEnd.enqueued?.(leg, q.name);
  }

  private cmdBridge(leg: EngineLeg, p: ActionParams<'bridge'>): void {
    if (leg.state === 'ringing') throw apiErrors.invalidState('The call is still ringing; it can be bridged once answered.');
    let other: EngineLeg;
    if (p.queue !== undefined) {
      const q = this.deps.queues.get(p.queue);
      const headId = q?.members[0];
      if (!headId) throw apiErrors.invalidState(`Queue '${p.queue}' is empty.`);
      other = this.legs.get(headId)!;
      // Telnyx removes the head of the queue even when the bridge then fails.
      this.dequeue(other, 'bridged');
    } else {
      other = this.requireOther(p.call_control_id!, 'call_control_id');
    }
    if (other === leg) throw apiErrors.invalidParameter('call_control_id', 'a call cannot be bridged with itself');
    if (p.prevent_double_bridge && other.bridgedWith && other.bridgedWith !== leg.callControlId) {
      throw apiErrors.invalidState('The target call is already bridged.');
    }
    if (p.park_after_unbridge === 'self') leg.parkAfterUnbridge = true;
    if (other.state === 'ringing') {
      other.pendingBridges.add(leg.callControlId);
      return;
    }
    this.bridgeLegs(leg, other);
    if (p.record) this.startRecording(leg, p.record_channels ?? 'dual', p.record_format ?? 'mp3', undefined);
  }

  private cmdTransfer(leg: EngineLeg, p: ActionParams<'transfer'>): void {
    if (leg.state === 'ringing') throw apiErrors.invalidState('A ringing outgoing call cannot be transferred.');
    const to = p.to.split(',')[0]!;
    if (leg.queue) this.dequeue(leg, 'leave');
    if (leg.bridgedWith) {
      const old = this.legs.get(leg.bridgedWith);
      leg.bridgedWith = undefined;
      leg.state = 'answered';
      if (old) {
        old.bridgedWith = undefined;
        this.unbridged(old);
      }
    }
    if (p.park_after_unbridge === 'self') leg.parkAfterUnbridge = true;
    const target = this.createLeg({
      direction: 'outgoing',
      state: 'ringing',
      from: p.from ?? leg.to,
      to,
      sessionId: leg.callSessionId,
      connectionId: leg.connectionId,
      callingPartyType: to.startsWith('sip:') ? 'sip' : 'pstn',
      farEnd: NOBODY,
      farEndOriginated: false,
      // client_state is per leg: the new leg gets target_leg_client_state, not the original's.
      clientState: p.target_leg_client_state ?? null,
      customHeaders: p.custom_headers ?? [],
      callerIdName: p.from_display_name,
      webhookUrl: p.webhook_url ?? leg.webhookUrl,
    });
    target.transferOf = leg.callControlId;
    target.timeLimitSecs = p.time_limit_secs;
    this.startRinging(target, p.timeout_secs ?? DEFAULT_RING_TIMEOUT_SECS);
  }

  // ---------------------------------------------------------------- world (far ends)

  /** A call from the outside world arrives on the Call Control connection, parked. */
  inbound(init: { from: string; to: string; callerIdName?: string; customHeaders?: SipHeader[]; farEnd: FarEnd }): Leg {
    const leg = this.createLeg({
      direction: 'incoming',
      state: 'parked',
      from: init.from,
      to: init.to,
      connectionId: this.deps.options.connectionId,
      callingPartyType: 'pstn',
      farEnd: init.farEnd,
      farEndOriginated: true,
      customHeaders: init.customHeaders ?? [],
      callerIdName: init.callerIdName,
    });
    this.emit(leg, 'call.initiated', {
      ...this.parties(leg),
      direction: 'incoming',
      state: 'parked',
      start_time: this.deps.clock.iso(leg.startedAt),
      caller_id_name: leg.callerIdName ?? leg.from,
      calling_party_type: 'pstn',
      custom_headers: leg.customHeaders,
    });
    return leg;
  }

  /**
   * An agent device places a call: it arrives on the credential connection as a parked outgoing
   * leg (Park Outbound Calls), waiting for the application to dial the destination and bridge.
   */
  deviceOutbound(init: { sipUsername: string; to: string; callerIdName?: string; customHeaders?: SipHeader[]; farEnd: FarEnd }): Leg {
    const from = `sip:${init.sipUsername}@sip.telnyx.com`;
    const leg = this.createLeg({
      direction: 'outgoing',
      state: 'parked',
      from,
      to: init.to,
      connectionId: this.deps.options.credentialConnectionId,
      callingPartyType: 'sip',
      farEnd: init.farEnd,
      farEndOriginated: true,
      customHeaders: init.customHeaders ?? [],
      callerIdName: init.callerIdName,
    });
    this.emit(leg, 'call.initiated', {
      ...this.parties(leg),
      direction: 'outgoing',
      state: 'parked',
      start_time: this.deps.clock.iso(leg.startedAt),
      caller_id_name: leg.callerIdName ?? init.sipUsername,
      calling_party_type: 'sip',
      from_sip_uri: from,
      to_sip_uri: init.to.startsWith('sip:') ? init.to : `sip:${init.to}@sip.telnyx.com`,
      custom_headers: leg.customHeaders,
    });
    return leg;
  }

  /** The party at the far end answers a ringing outgoing leg. */
  farAnswer(callControlId: string): boolean {
    const leg = this.legs.get(callControlId);
    if (!leg || leg.state !== 'ringing') return false;
    if (leg.ringGroup) {
      if (leg.ringGroup.winner) return false;
      leg.ringGroup.winner = leg.callControlId;
      for (const id of leg.ringGroup.legs) {
        const sibling = this.legs.get(id);
        if (sibling && id !== leg.callControlId && sibling.state === 'ringing') this.endLeg(sibling, 'originator_cancel', 'caller', true);
      }
    }
    const { clock } = this.deps;
    leg.ringTimer?.cancel();
    leg.state = 'answered';
    leg.answeredAt = clock.now();
    this.emit(leg, 'call.answered', { ...this.parties(leg), start_time: clock.iso(leg.startedAt), state: 'answered', custom_headers: leg.customHeaders });
    if (leg.timeLimitSecs) {
      leg.timeLimitTimer = clock.setTimeout(() => this.endLeg(leg, 'time_limit', 'unknown', true), leg.timeLimitSecs * 1000);
    }
    if (leg.recordFromAnswer) {
      const r = leg.recordFromAnswer;
      this.startRecording(leg, r.channels, r.format, r.maxLengthSecs);
    }
    if (leg.supervisor) {
      const supervised = this.legs.get(leg.supervisor.supervisedId);
      if (supervised && isAlive(supervised)) {
        leg.state = 'bridged';
        this.emit(leg, 'call.bridged', this.parties(leg));
      } else {
        this.endLeg(leg, 'normal_clearing', 'caller', true);
        return true;
      }
    } else if (leg.transferOf) {
      const original = this.legs.get(leg.transferOf);
      if (original && isAlive(original)) this.bridgeLegs(original, leg);
      else this.endLeg(leg, 'normal_clearing', 'caller', true);
    } else if (leg.bridgeOnAnswer && leg.linkTo) {
      const target = this.legs.get(leg.linkTo);
      if (target && isAlive(target) && target.state !== 'ringing') this.bridgeLegs(leg, target);
      else if (!target || !isAlive(target)) this.endLeg(leg, 'normal_clearing', 'caller', true);
    }
    for (const waitingId of [...leg.pendingBridges]) {
      leg.pendingBridges.delete(waitingId);
      const waiting = this.legs.get(waitingId);
      if (waiting && isAlive(waiting) && isAlive(leg)) this.bridgeLegs(waiting, leg);
    }
    return true;
  }

  /** The far end declines a ringing outgoing leg. */
  farReject(callControlId: string, cause: 'call_rejected' | 'user_busy'): boolean {
    const leg = this.legs.get(callControlId);
    if (!leg || leg.state !== 'ringing') return false;
    this.endLeg(leg, cause, 'callee', false);
    return true;
  }

  /** The far end hangs up (or, for an unanswered incoming call, gives up). */
  farHangup(callControlId: string): boolean {
    const leg = this.legs.get(callControlId);
    if (!leg || !isAlive(leg)) return false;
    const unanswered = (leg.state === 'parked' && leg.answeredAt === undefined && leg.bridgedWith === undefined) || leg.state === 'ringing';
    this.endLeg(leg, unanswered && leg.farEndOriginated ? 'originator_cancel' : 'normal_clearing', this.farSide(leg), false);
    return true;
  }

  /** The far end presses keys. */
  farDtmf(callControlId: string, digits: string): boolean {
    const leg = this.legs.get(callControlId);
    if (!leg || !this.mediaUp(leg)) return false;
    for (const digit of digits) {
      if (!isAlive(leg)) break;
      this.emit(leg, 'call.dtmf.received', { ...this.parties(leg), digit });
      if (leg.gather) this.gatherDigit(leg, leg.gather, digit);
    }
    return true;
  }

  /** The far end says something: transcribed on this leg (inbound track) and on its bridged peer (outbound track). */
  farSay(callControlId: string, text: string): boolean {
    const leg = this.legs.get(callControlId);
    if (!leg || !this.mediaUp(leg)) return false;
    const words = text.split(/\s+/).filter(Boolean);
    if (words.length === 0) return false;
    const { clock } = this.deps;
    const durationMs = Math.max(600, words.length * 350);
    const half = words.slice(0, Math.max(1, Math.ceil(words.length / 2))).join(' ');
    clock.setTimeout(() => this.transcribe(leg, half, false), durationMs / 2);
    clock.setTimeout(() => this.transcribe(leg, words.join(' '), true), durationMs);
    return true;
  }

  private transcribe(speaker: EngineLeg, transcript: string, isFinal: boolean): void {
    const targets: { leg: EngineLeg; track: 'inbound' | 'outbound' }[] = [];
    if (isAlive(speaker) && speaker.transcription && speaker.transcription.tracks !== 'outbound') targets.push({ leg: speaker, track: 'inbound' });
    const peer = speaker.bridgedWith ? this.legs.get(speaker.bridgedWith) : undefined;
    if (peer && isAlive(peer) && peer.transcription && peer.transcription.tracks !== 'inbound') targets.push({ leg: peer, track: 'outbound' });
    for (const t of targets) {
      this.emit(t.leg, 'call.transcription', {
        transcription_data: { transcript, confidence: isFinal ? 0.92 : null, is_final: isFinal, transcription_track: t.track },
      });
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private createLeg(init: LegInit): EngineLeg {
    const now = this.deps.clock.now();
    this.sweep(now);
    const sessionId = init.sessionId ?? newUuid();
    const leg: EngineLeg = {
      callControlId: newCallControlId(),
      callLegId: newUuid(),
      callSessionId: sessionId,
      connectionId: init.connectionId,
      direction: init.direction,
      from: init.from,
      to: init.to,
      callerIdName: init.callerIdName,
      callingPartyType: init.callingPartyType,
      state: init.state,
      startedAt: now,
      clientState: init.clientState ?? null,
      customHeaders: init.customHeaders ?? [],
      webhookUrl: init.webhookUrl,
      farEnd: init.farEnd,
      farEndOriginated: init.farEndOriginated,
      parkAfterUnbridge: false,
      bridgeOnAnswer: false,
      pendingBridges: new Set(),
      media: { queue: [], overlays: new Set() },
      supervisors: new Set(),
      commandIds: new Map(),
    };
    this.legs.set(leg.callControlId, leg);
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = new Set();
      this.sessions.set(sessionId, session);
    }
    session.add(leg.callControlId);
    return leg;
  }

  private startRinging(leg: EngineLeg, timeoutSecs: number): void {
    const { clock } = this.deps;
    this.emit(leg, 'call.initiated', {
      ...this.parties(leg),
      direction: 'outgoing',
      state: 'bridging',
      start_time: clock.iso(leg.startedAt),
      caller_id_name: leg.callerIdName ?? leg.from,
      calling_party_type: leg.callingPartyType,
      custom_headers: leg.customHeaders,
    });
    leg.ringTimer = clock.setTimeout(() => {
      if (leg.state === 'ringing') this.endLeg(leg, 'timeout', 'caller', true);
    }, timeoutSecs * 1000);
    const destination = this.deps.resolve(leg.to, leg);
    if ('failure' in destination) {
      leg.ringTimer.cancel();
      clock.setTimeout(() => {
        if (leg.state === 'ringing') this.endLeg(leg, destination.failure, 'callee', false);
      }, ROUTE_FAILURE_DELAY_MS);
      return;
    }
    leg.farEnd = destination;
    destination.offered?.(leg);
  }

  /**
   * Ends a leg and everything hanging off it, in Telnyx's webhook order: media/gather/queue
   * endings, call.hangup, then call.recording.saved; then the bridged peer, linked ringing legs
   * and supervisors follow.
   */
  private endLeg(leg: EngineLeg, cause: HangupCause, source: HangupSource, notifyFarEnd: boolean): void {
    if (!isAlive(leg)) return;
    const { clock } = this.deps;
    const wasRinging = leg.state === 'ringing';
    leg.state = 'hangup';
    leg.endedAt = clock.now();
    leg.hangupCause = cause;
    leg.hangupSource = source;
    leg.ringTimer?.cancel();
    leg.timeLimitTimer?.cancel();
    this.stopAllMedia(leg);
    if (leg.gather) this.finishGather(leg, 'call_hangup');
    if (leg.queue) this.dequeue(leg, 'hangup');
    const saved = this.closeRecording(leg);
    leg.transcription = undefined;
    if (notifyFarEnd) {
      if (wasRinging) leg.farEnd.cancelled?.(leg, cause);
      else leg.farEnd.ended?.(leg, cause);
    }
    this.emit(leg, 'call.hangup', {
      ...this.parties(leg),
      start_time: clock.iso(leg.startedAt),
      state: 'hangup',
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: leg.direction === 'incoming' && cause === 'normal_clearing' ? 'unspecified' : SIP_CAUSE[cause],
      call_quality_stats: null,
      custom_headers: leg.customHeaders,
    });
    if (saved) this.emitRecordingSaved(leg, saved);

    if (leg.bridgedWith) {
      const peer = this.legs.get(leg.bridgedWith);
      leg.bridgedWith = undefined;
      if (peer && peer.bridgedWith === leg.callControlId) {
        peer.bridgedWith = undefined;
        this.unbridged(peer);
      }
    }
    for (const id of this.sessions.get(leg.callSessionId) ?? []) {
      const other = this.legs.get(id);
      if (!other || other.state !== 'ringing') continue;
      if (other.transferOf === leg.callControlId || (other.linkTo === leg.callControlId && other.bridgeOnAnswer)) {
        this.endLeg(other, 'originator_cancel', 'caller', true);
      }
    }
    for (const id of [...leg.supervisors]) {
      const sup = this.legs.get(id);
      if (sup) this.endLeg(sup, sup.state === 'ringing' ? 'originator_cancel' : 'normal_clearing', 'caller', true);
    }
    leg.supervisors.clear();
    if (leg.supervisor) this.legs.get(leg.supervisor.supervisedId)?.supervisors.delete(leg.callControlId);
  }

  /** The peer left the bridge: park (park_after_unbridge) or hang up. */
  private unbridged(leg: EngineLeg): void {
    if (!isAlive(leg)) return;
    if (leg.parkAfterUnbridge) {
      leg.state = 'answered';
      leg.farEnd.unbridged?.(leg);
    } else {
      this.endLeg(leg, 'normal_clearing', this.appSide(leg), true);
    }
  }

  private bridgeLegs(a: EngineLeg, b: EngineLeg): void {
    for (const [leg, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (leg.queue) this.dequeue(leg, 'bridged');
      if (leg.bridgedWith && leg.bridgedWith !== other.callControlId) {
        const old = this.legs.get(leg.bridgedWith);
        leg.bridgedWith = undefined;
        if (old) {
          old.bridgedWith = undefined;
          this.unbridged(old);
        }
      }
      leg.pendingBridges.delete(other.callControlId);
    }
    a.bridgedWith = b.callControlId;
    b.bridgedWith = a.callControlId;
    a.state = 'bridged';
    b.state = 'bridged';
    this.emit(a, 'call.bridged', this.parties(a));
    this.emit(b, 'call.bridged', this.parties(b));
    a.farEnd.bridged?.(a, b);
    b.farEnd.bridged?.(b, a);
  }

  private dequeue(leg: EngineLeg, reason: DequeueReason): void {
    const membership = leg.queue;
    if (!membership) return;
    const { clock, queues } = this.deps;
    const now = clock.now();
    membership.maxWaitTimer?.cancel();
    const waited = now - membership.enqueuedAt;
    const position = queues.remove(membership.name, leg.callControlId, waited, now);
    leg.queue = undefined;
    this.emit(leg, 'call.dequeued', { queue: membership.name, queue_position: position, reason, wait_time_secs: Math.round(waited / 1000) });
    leg.farEnd.dequeued?.(leg, reason);
  }

  // ---------------------------------------------------------------- media

  private speakMs(text: string, type: 'text' | 'ssml' | undefined): number {
    const plain = type === 'ssml' ? text.replace(/<[^>]*>/g, '') : text;
    return Math.max(500, plain.trim().length * this.deps.options.speakMsPerChar);
  }

  private enqueueMedia(leg: EngineLeg, item: MediaItem): void {
    if (item.overlay) {
      leg.media.overlays.add(item);
      this.startMedia(leg, item);
    } else if (!leg.media.current) {
      leg.media.current = item;
      this.startMedia(leg, item);
    } else {
      leg.media.queue.push(item);
    }
  }

  private startMedia(leg: EngineLeg, item: MediaItem): void {
    if (item.kind === 'speak') this.emit(leg, 'call.speak.started', {});
    else this.emit(leg, 'call.playback.started', this.playbackFields(item));
    if (item.durationMs !== null) item.timer = this.deps.clock.setTimeout(() => this.mediaEnded(leg, item, 'completed'), item.durationMs);
  }

  private mediaEnded(leg: EngineLeg, item: MediaItem, status: 'completed' | 'cancelled' | 'call_hangup'): void {
    item.timer?.cancel();
    if (item.kind === 'speak') this.emit(leg, 'call.speak.ended', { status: status === 'cancelled' ? 'completed' : status });
    else this.emit(leg, 'call.playback.ended', { ...this.playbackFields(item), status });
    if (item.overlay) {
      leg.media.overlays.delete(item);
      return;
    }
    if (leg.media.current !== item) return;
    leg.media.current = undefined;
    const next = leg.media.queue.shift();
    if (next && isAlive(leg)) {
      leg.media.current = next;
      this.startMedia(leg, next);
    }
  }

  private applyStop(leg: EngineLeg, stop: string | undefined): void {
    if (stop === 'all') leg.media.queue.length = 0;
    if ((stop === 'all' || stop === 'current') && leg.media.current) this.mediaEnded(leg, leg.media.current, 'cancelled');
  }

  private stopAllMedia(leg: EngineLeg): void {
    leg.media.queue.length = 0;
    if (leg.media.current) this.mediaEnded(leg, leg.media.current, 'call_hangup');
    for (const item of [...leg.media.overlays]) this.mediaEnded(leg, item, 'call_hangup');
  }

  private playbackFields(item: MediaItem): Record<string, unknown> {
    return { media_url: item.mediaUrl ?? null, media_name: item.mediaName ?? null, overlay: item.overlay };
  }

  // ---------------------------------------------------------------- gather

  private startGather(leg: EngineLeg, init: Omit<GatherState, 'digits' | 'tries' | 'phase' | 'timer' | 'overallTimer'>): void {
    if (leg.gather) this.finishGather(leg, 'cancelled');
    const g: GatherState = { ...init, digits: '', tries: 0, phase: 'collecting' };
    leg.gather = g;
    if (g.overallTimeoutMs !== undefined) {
      g.overallTimer = this.deps.clock.setTimeout(() => {
        if (leg.gather !== g) return;
        if (g.digits.length === 0) this.finishGather(leg, 'timeout');
        else this.finishGather(leg, this.gatherValid(g) ? 'valid' : 'invalid');
      }, g.overallTimeoutMs);
    }
    this.beginAttempt(leg, g, false);
  }

  private beginAttempt(leg: EngineLeg, g: GatherState, afterInvalid: boolean): void {
    g.digits = '';
    g.tries++;
    g.timer?.cancel();
    const promptMs = (afterInvalid ? g.invalidPromptMs : 0) + g.promptMs;
    if (promptMs > 0) {
      g.phase = 'prompt';
      g.timer = this.deps.clock.setTimeout(() => {
        if (leg.gather !== g || g.phase !== 'prompt') return;
        g.phase = 'collecting';
        this.armGatherTimer(leg, g, g.firstDigitTimeoutMs);
      }, promptMs);
    } else {
      g.phase = 'collecting';
      this.armGatherTimer(leg, g, g.firstDigitTimeoutMs);
    }
    leg.farEnd.gatherStarted?.(leg, { promptMs, attempt: g.tries });
  }

  private armGatherTimer(leg: EngineLeg, g: GatherState, ms: number): void {
    g.timer?.cancel();
    g.timer = this.deps.clock.setTimeout(() => this.gatherTimedOut(leg, g), ms);
  }

  private gatherDigit(leg: EngineLeg, g: GatherState, digit: string): void {
    if (g.phase === 'prompt') {
      // Barge-in: a key press ends the prompt.
      g.timer?.cancel();
      g.phase = 'collecting';
    }
    if (g.terminatingDigit !== '' && digit === g.terminatingDigit) {
      this.evaluateGather(leg, g);
      return;
    }
    g.digits += digit;
    if (g.digits.length >= g.maximumDigits) this.evaluateGather(leg, g);
    else this.armGatherTimer(leg, g, g.interDigitTimeoutMs);
  }

  private gatherTimedOut(leg: EngineLeg, g: GatherState): void {
    if (leg.gather !== g) return;
    if (g.digits.length > 0) {
      this.evaluateGather(leg, g);
      return;
    }
    if (g.tries < g.maximumTries) this.beginAttempt(leg, g, false);
    else this.finishGather(leg, 'timeout');
  }

  private gatherValid(g: GatherState): boolean {
    return g.digits.length >= g.minimumDigits && g.digits.length <= g.maximumDigits && [...g.digits].every((d) => g.validDigits.includes(d));
  }

  private evaluateGather(leg: EngineLeg, g: GatherState): void {
    if (this.gatherValid(g)) this.finishGather(leg, 'valid');
    else if (g.tries < g.maximumTries) this.beginAttempt(leg, g, true);
    else this.finishGather(leg, 'invalid');
  }

  private finishGather(leg: EngineLeg, status: 'valid' | 'invalid' | 'timeout' | 'cancelled' | 'call_hangup'): void {
    const g = leg.gather;
    if (!g) return;
    g.timer?.cancel();
    g.overallTimer?.cancel();
    leg.gather = undefined;
    const payload: Record<string, unknown> = { ...this.parties(leg), digits: g.digits, status };
    if (g.gatherId !== undefined) payload.gather_id = g.gatherId;
    this.emit(leg, 'call.gather.ended', payload);
    leg.farEnd.gatherEnded?.(leg);
  }

  // ---------------------------------------------------------------- recording

  private startRecording(leg: EngineLeg, channels: RecordingChannels, format: 'wav' | 'mp3', maxLengthSecs: number | undefined): string {
    if (leg.recording) throw apiErrors.invalidState('A recording is already in progress on this call.');
    const { clock } = this.deps;
    const now = clock.now();
    const id = newUuid();
    leg.recording = { id, channels, format, startedAt: now, recordedMs: 0, segmentStart: now };
    if (maxLengthSecs && maxLengthSecs > 0) {
      leg.recording.maxLengthTimer = clock.setTimeout(() => {
        if (leg.recording?.id !== id) return;
        const saved = this.closeRecording(leg);
        if (saved) this.emitRecordingSaved(leg, saved);
      }, maxLengthSecs * 1000);
    }
    return id;
  }

  private requireRecording(leg: EngineLeg, recordingId: string | undefined): string {
    const rec = leg.recording;
    if (!rec) throw apiErrors.invalidState('There is no recording in progress on this call.');
    if (recordingId !== undefined && recordingId !== rec.id) throw apiErrors.invalidParameter('recording_id', 'no such recording on this call');
    return rec.id;
  }

  private closeRecording(leg: EngineLeg): SavedRecording | undefined {
    const rec = leg.recording;
    if (!rec) return undefined;
    const now = this.deps.clock.now();
    if (rec.segmentStart !== null) rec.recordedMs += now - rec.segmentStart;
    rec.maxLengthTimer?.cancel();
    leg.recording = undefined;
    const saved: SavedRecording = {
      id: rec.id,
      callControlId: leg.callControlId,
      callLegId: leg.callLegId,
      callSessionId: leg.callSessionId,
      channels: rec.channels,
      format: rec.format,
      startedAt: rec.startedAt,
      endedAt: now,
      durationMs: rec.recordedMs,
    };
    this.deps.recordings.save(saved);
    return saved;
  }

  private emitRecordingSaved(leg: EngineLeg, saved: SavedRecording): void {
    const { clock, recordings } = this.deps;
    this.emit(leg, 'call.recording.saved', {
      recording_id: saved.id,
      channels: saved.channels,
      format: saved.format,
      recording_started_at: clock.iso(saved.startedAt),
      recording_ended_at: clock.iso(saved.endedAt),
      start_time: clock.iso(saved.startedAt),
      end_time: clock.iso(saved.endedAt),
      duration_millis: Math.round(saved.durationMs),
      // The simulator renders WAV only; mp3 is always null.
      recording_urls: { wav: recordings.signedUrl(saved.id), mp3: null },
      public_recording_urls: { wav: null, mp3: null },
    });
  }

  // ---------------------------------------------------------------- helpers

  private emit(leg: EngineLeg, eventType: string, fields: Record<string, unknown>): void {
    const payload: Record<string, unknown> = {
      call_control_id: leg.callControlId,
      call_leg_id: leg.callLegId,
      call_session_id: leg.callSessionId,
      client_state: leg.clientState,
      connection_id: leg.connectionId,
      ...fields,
    };
    const event: WebhookEvent = { id: newUuid(), eventType, occurredAt: this.deps.clock.occurredAt(), payload };
    if (leg.webhookUrl) event.urlOverride = leg.webhookUrl;
    this.deps.logger.debug({ eventType, callControlId: leg.callControlId, eventId: event.id }, 'event');
    this.deps.emit(event, leg);
  }

  private parties(leg: Leg): { from: string; to: string } {
    return { from: leg.from, to: leg.to };
  }

  /** hangup_source when Telnyx/the application ends the leg. */
  private appSide(leg: EngineLeg): HangupSource {
    return leg.farEndOriginated ? 'callee' : 'caller';
  }

  /** hangup_source when the party at the far end ends the leg. */
  private farSide(leg: EngineLeg): HangupSource {
    return leg.farEndOriginated ? 'caller' : 'callee';
  }

  private mediaUp(leg: Leg): boolean {
    return leg.state === 'answered' || leg.state === 'bridged' || (leg.state === 'parked' && leg.direction === 'outgoing');
  }

  private requireMedia(leg: Leg): void {
    if (leg.state === 'answered' || leg.state === 'bridged') return;
    throw apiErrors.invalidState(leg.state === 'ringing' ? 'The call has not been answered yet.' : 'The call must be answered first.');
  }

  private requireOther(callControlId: string, param: string): EngineLeg {
    const other = this.legs.get(callControlId);
    if (!other) throw apiErrors.invalidParameter(param, 'no call with this call_control_id');
    if (!isAlive(other)) throw apiErrors.legGone();
    return other;
  }

  /** Forgets ended legs past their retention and command_ids past the dedupe window. */
  private sweep(now: number): void {
    const realNow = Date.now();
    if (now - this.lastSweep < 10_000 || realNow - this.lastSweepReal < 1_000) return;
    this.lastSweep = now;
    this.lastSweepReal = realNow;
    const retention = this.deps.options.legRetentionMs;
    for (const [id, leg] of this.legs) {
      if (leg.endedAt !== undefined && now - leg.endedAt > retention) {
        this.legs.delete(id);
        const session = this.sessions.get(leg.callSessionId);
        session?.delete(id);
        if (session?.size === 0) this.sessions.delete(leg.callSessionId);
        continue;
      }
      for (const [cid, at] of leg.commandIds) if (now - at >= this.deps.options.commandIdWindowMs) leg.commandIds.delete(cid);
    }
    for (const [cid, entry] of this.dialCommands) if (now - entry.at >= this.deps.options.commandIdWindowMs) this.dialCommands.delete(cid);
  }

  /** Forgets every call (timers are cancelled by the clock owner). */
  reset(): void {
    this.legs.clear();
    this.sessions.clear();
    this.dialCommands.clear();
  }
}

function loopCount(loop: number | string | undefined): number | null {
  if (loop === undefined) return 1;
  if (loop === 'infinity') return null;
  const n = typeof loop === 'number' ? loop : Number(loop);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

export type { TimerHandle };

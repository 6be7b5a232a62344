import { Injectable, computed, effect, inject, signal } from '@angular/core';
import { Api } from '../core/authed-api.service';
import { ClockService } from '../core/clock.service';
import { live, upsertById } from '../core/live';
import { NotifyService } from '../core/notify.service';
import {
  CALL_BACK,
  CANCEL_TRANSFER,
  COMPLETE_TRANSFER,
  COMPLETE_WRAP_UP,
  DECLINE_OFFER,
  HANGUP_CALL,
  HOLD_CALL,
  MY_DESK,
  MY_DESK_CHANGED,
  PAUSE_RECORDING,
  PICK_CALL,
  QUEUE_CHANGED,
  QUEUES,
  RESUME_RECORDING,
  SET_MUTED,
  SET_MY_STATUS,
  START_TRANSCRIPTION,
  STOP_TRANSCRIPTION,
  TRANSFER_CALL,
  UNHOLD_CALL,
} from '../graphql/documents';
import type { AgentStatus, Desk, LiveCall, Queue, TransferMode } from '../graphql/types';
import { cleanDialString, isDialable } from '../softphone/phone-logic';
import { SoftphoneService, type PhoneCall } from '../softphone/softphone.service';
import { map } from 'rxjs';

export type TransferTarget = { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };

/**
 * The agent desk's state and actions: the server's desk (status, offer, call, wrap-up, recent
 * calls) and queues kept live, joined with the browser's softphone calls. Provided per desk page.
 */
@Injectable()
export class DeskStore {
  private readonly api = inject(Api);
  private readonly notify = inject(NotifyService);
  private readonly clock = inject(ClockService);
  readonly phone = inject(SoftphoneService);

  readonly desk = live<Desk>({
    load: () => this.api.query(MY_DESK).then((r) => r.myDesk),
    stream: () => this.api.live(MY_DESK_CHANGED).pipe(map((r) => r.myDeskChanged)),
  });

  readonly queues = live<Queue[], Queue>({
    load: () => this.api.query(QUEUES).then((r) => r.queues),
    stream: () => this.api.live(QUEUE_CHANGED, {}).pipe(map((r) => r.queueChanged)),
    apply: (current, pushed) => upsertById(current, pushed).sort((a, b) => a.id.localeCompare(b.id)),
  });

  /** Which action is in flight (buttons show it and refuse a second click). */
  readonly busy = signal<string | null>(null);

  readonly agent = computed(() => this.desk.value()?.agent ?? null);
  readonly call = computed<LiveCall | null>(() => this.desk.value()?.call ?? null);
  readonly offer = computed(() => this.desk.value()?.offer ?? null);
  readonly wrapUp = computed(() => this.desk.value()?.wrapUp ?? null);
  readonly state = computed(() => this.agent()?.state ?? 'OFFLINE');

  /** The browser call ringing for the agent (not a supervision leg), if any. */
  readonly ringing = computed<PhoneCall | null>(() => this.phone.ringing().find((c) => c.purpose !== 'supervisor') ?? null);

  /** The softphone call carrying the desk's current call. */
  readonly phoneCall = computed<PhoneCall | null>(() => {
    const calls = this.phone.calls().filter((c) => c.phase !== 'ringing' && c.purpose !== 'supervisor');
    const current = this.call();
    return (current && calls.find((c) => c.callId === current.id)) ?? calls[0] ?? null;
  });

  /** The agent is connected to a call (the server says so, or the softphone has one up). */
  readonly connected = computed(() => this.phoneCall() !== null || (this.agent()?.currentCall != null && this.call()?.status === 'IN_PROGRESS'));

  /** Ringing or connected: no second call may start. */
  readonly engaged = computed(() => this.ringing() !== null || this.offer() !== null || this.connected());

  readonly waitingCalls = computed(() =>
    (this.queues.value() ?? [])
      .flatMap((q) => q.calls.map((c) => ({ ...c, queueId: q.id, queueName: q.name ?? q.id, asOf: q.asOf, threshold: q.serviceLevelThresholdSeconds })))
      .sort((a, b) => b.priority - a.priority || a.enqueuedAt.localeCompare(b.enqueuedAt)),
  );

  constructor() {
    // Server timestamps keep the shared clock from running behind the server's.
    effect(() => {
      const d = this.desk.value();
      this.clock.observe(d?.agent?.lastEventAt);
      for (const q of this.queues.value() ?? []) this.clock.observe(q.asOf);
    });
  }

  private async run<T>(name: string, action: () => Promise<T>, failure: string): Promise<T | undefined> {
    if (this.busy()) return undefined;
    this.busy.set(name);
    try {
      return await action();
    } catch (error) {
      this.notify.error(error, failure);
      return undefined;
    } finally {
      this.busy.set(null);
    }
  }

  // ---------------------------------------------------------------- status

  async setStatus(status: AgentStatus, reason: string | null = null): Promise<void> {
    const result = await this.run('status', () => this.api.mutate(SET_MY_STATUS, { status, reason }), 'Could not change your status');
    const agent = result?.setMyStatus.agent;
    const desk = this.desk.value();
    if (agent && desk) this.desk.set({ ...desk, agent });
  }

  // ---------------------------------------------------------------- offers

  async answer(): Promise<void> {
    const ringing = this.ringing();
    if (!ringing) return;
    await this.run('answer', () => this.phone.answer(ringing.id), 'Could not answer');
  }

  async decline(): Promise<void> {
    const ringing = this.ringing();
    const offer = this.offer();
    await this.run(
      'decline',
      async () => {
        if (offer) await this.api.mutate(DECLINE_OFFER, { offerId: offer.offerId });
        // The server hangs the offered leg up; the browser's own decline covers a leg it did not know about.
        if (ringing) await this.phone.hangup(ringing.id).catch(() => undefined);
      },
      'Could not decline',
    );
  }

  async pick(callId: string): Promise<void> {
    this.phone.autoAnswer(callId);
    await this.run('pick', () => this.api.mutate(PICK_CALL, { callId }), 'Could not pick up that call');
  }

  // ---------------------------------------------------------------- the call

  async toggleMute(): Promise<void> {
    const pc = this.phoneCall();
    const current = this.call();
    if (!pc && !current) return;
    const muted = !(pc?.muted ?? this.agent()?.muted ?? false);
    if (pc) this.phone.setMuted(pc.id, muted);
    if (current) await this.run('mute', () => this.api.mutate(SET_MUTED, { callId: current.id, muted }), 'Could not record the mute');
  }

  async toggleHold(): Promise<void> {
    const current = this.call();
    const pc = this.phoneCall();
    if (!current) return;
    const hold = !current.held;
    await this.run(
      'hold',
      async () => {
        const result = hold ? (await this.api.mutate(HOLD_CALL, { callId: current.id })).holdCall : (await this.api.mutate(UNHOLD_CALL, { callId: current.id })).unholdCall;
        this.applyCall(result.call);
        // The customer hears hold music from the server; the softphone stops sending the agent's audio too.
        if (pc) await (hold ? this.phone.hold(pc.id) : this.phone.unhold(pc.id)).catch(() => undefined);
      },
      hold ? 'Could not hold' : 'Could not resume',
    );
  }

  async hangup(): Promise<void> {
    const current = this.call();
    const pc = this.phoneCall();
    await this.run(
      'hangup',
      async () => {
        if (pc) await this.phone.hangup(pc.id);
        else if (current) await this.api.mutate(HANGUP_CALL, { callId: current.id });
      },
      'Could not hang up',
    );
  }

  dtmf(digit: string): void {
    const pc = this.phoneCall();
    if (!pc) return;
    try {
      this.phone.dtmf(pc.id, digit);
    } catch (error) {
      this.notify.error(error, 'Could not send the tone');
    }
  }

  async transfer(target: TransferTarget, mode: TransferMode): Promise<boolean> {
    const current = this.call();
    if (!current) return false;
    const input = target.kind === 'agent' ? { agentId: target.agentId } : target.kind === 'queue' ? { queueId: target.queueId } : { number: target.number };
    const result = await this.run('transfer', () => this.api.mutate(TRANSFER_CALL, { callId: current.id, mode, target: input }), 'Could not transfer');
    if (result) {
      this.applyCall(result.transferCall.call);
      this.notify.info(mode === 'BLIND' ? 'Transfer started.' : 'Consulting the transfer target; the caller is on hold.');
    }
    return result !== undefined;
  }

  async completeTransfer(): Promise<void> {
    const current = this.call();
    if (current) await this.run('transfer', () => this.api.mutate(COMPLETE_TRANSFER, { callId: current.id }), 'Could not complete the transfer');
  }

  async cancelTransfer(): Promise<void> {
    const current = this.call();
    if (current) await this.run('transfer', () => this.api.mutate(CANCEL_TRANSFER, { callId: current.id }), 'Could not cancel the transfer');
  }

  async toggleRecordingPause(): Promise<void> {
    const current = this.call();
    if (!current || current.recording === 'OFF') return;
    const callId = current.id;
    const result = await this.run(
      'recording',
      async () =>
        current.recording === 'ON' ? (await this.api.mutate(PAUSE_RECORDING, { callId })).pauseRecording : (await this.api.mutate(RESUME_RECORDING, { callId })).resumeRecording,
      'Could not change the recording',
    );
    this.applyCall(result?.call);
  }

  async toggleTranscription(): Promise<void> {
    const current = this.call();
    if (!current) return;
    const callId = current.id;
    const result = await this.run(
      'transcription',
      async () =>
        current.transcribing ? (await this.api.mutate(STOP_TRANSCRIPTION, { callId })).stopTranscription : (await this.api.mutate(START_TRANSCRIPTION, { callId })).startTranscription,
      'Could not change the transcription',
    );
    this.applyCall(result?.call);
  }

  async completeWrapUp(disposition: string, notes: string): Promise<boolean> {
    const wrap = this.wrapUp();
    if (!wrap) return false;
    const result = await this.run('wrapup', () => this.api.mutate(COMPLETE_WRAP_UP, { callId: wrap.callId, disposition, notes: notes || null }), 'Could not complete the wrap-up');
    if (result) {
      await this.desk.reload();
      this.notify.success('Wrap-up saved.');
    }
    return result !== undefined;
  }

  // ---------------------------------------------------------------- outbound

  dial(raw: string): boolean {
    const destination = cleanDialString(raw);
    if (!isDialable(destination)) {
      this.notify.error(new Error('Enter a phone number (with its country code) or a SIP address.'));
      return false;
    }
    try {
      this.phone.dial(destination);
      return true;
    } catch (error) {
      this.notify.error(error, 'Could not place the call');
      return false;
    }
  }

  /** Call-back from the history or a voicemail: the server checks and normalises the number, the softphone dials it. */
  async callBack(number: string, fromCallId: string | null): Promise<void> {
    const result = await this.run('callback', () => this.api.mutate(CALL_BACK, { number, fromCallId }), 'Could not call back');
    if (result) this.dial(result.callBack.number);
  }

  private applyCall(call: LiveCall | null | undefined): void {
    const desk = this.desk.value();
    if (call && desk && desk.call?.id === call.id) this.desk.set({ ...desk, call });
  }
}

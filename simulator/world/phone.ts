import type { SimClock } from '../clock';
import type { HangupCause, SipHeader } from '../calls/model';
import type { Counters } from '../counters';
import type { DeviceCall, DeviceNetwork, PhoneDevice } from './devices';
import type { PhoneBehaviour } from './scripts';
import { TimerBag, speakLines } from './timers';

type PhoneCallState = 'ringing' | 'dialing' | 'connected';

interface PhoneCall {
  call: DeviceCall;
  state: PhoneCallState;
  timers: TimerBag;
}

export interface PhoneSnapshot {
  sipUsername: string;
  kind: string;
  behaviour: PhoneBehaviour;
  busy: boolean;
  calls: { callControlId: string; direction: DeviceCall['direction']; state: PhoneCallState; from: string; to: string }[];
}

/** An agent phone with scripted behaviour; the control API can also drive it by hand. */
export class SimulatedPhone implements PhoneDevice {
  readonly kind = 'simulated';
  private readonly calls = new Map<string, PhoneCall>();

  constructor(
    readonly sipUsername: string,
    public behaviour: PhoneBehaviour,
    private readonly deps: { network: DeviceNetwork; clock: SimClock; counters: Counters },
  ) {}

  isBusy(): boolean {
    return this.calls.size >= this.behaviour.maxCalls;
  }

  ring(call: DeviceCall): void {
    const entry = this.track(call, 'ringing');
    this.deps.counters.worldEvent('phoneRings');
    switch (this.behaviour.onRing) {
      case 'answer':
        entry.timers.after(this.behaviour.answerAfterMs, () => this.answer(call.callControlId));
        break;
      case 'reject':
        entry.timers.after(this.behaviour.rejectAfterMs, () => this.reject(call.callControlId, this.behaviour.rejectCause));
        break;
      case 'ignore':
      case 'manual':
        break;
    }
  }

  /** Answers a ringing call (the given one, or the oldest). */
  answer(callControlId?: string): boolean {
    const entry = this.find(callControlId, 'ringing');
    if (!entry) return false;
    const id = entry.call.callControlId;
    entry.timers.clear();
    if (!this.deps.network.answer(id)) {
      this.drop(id);
      return false;
    }
    this.deps.counters.worldEvent('phoneAnswers');
    // Answering can end the call at once (its linked call is gone), which drops the entry.
    if (this.calls.get(id) === entry) this.connected(entry.call);
    return true;
  }

  reject(callControlId?: string, cause: 'call_rejected' | 'user_busy' = 'call_rejected'): boolean {
    const entry = this.find(callControlId, 'ringing');
    if (!entry) return false;
    this.drop(entry.call.callControlId);
    this.deps.counters.worldEvent('phoneRejects');
    return this.deps.network.reject(entry.call.callControlId, cause);
  }

  /** Hangs up a call (the given one, or the oldest connected/dialing one). */
  hangup(callControlId?: string): boolean {
    const entry = this.find(callControlId, 'connected') ?? this.find(callControlId, 'dialing');
    if (!entry) return false;
    this.drop(entry.call.callControlId);
    return this.deps.network.hangup(entry.call.callControlId);
  }

  /** Places an outbound call; it reaches the application parked, direction outgoing. */
  dial(to: string, options: { customHeaders?: SipHeader[]; callerIdName?: string } = {}): DeviceCall {
    const call = this.deps.network.dial(this, to, options);
    const entry = this.calls.get(call.callControlId) ?? this.track(call, 'dialing');
    entry.timers.after(this.behaviour.outboundGiveUpMs, () => {
      if (this.calls.get(call.callControlId)?.state === 'dialing') this.hangup(call.callControlId);
    });
    this.deps.counters.worldEvent('phoneDials');
    return call;
  }

  sendDtmf(digits: string, callControlId?: string): boolean {
    const entry = this.find(callControlId, 'connected');
    return entry ? this.deps.network.sendDtmf(entry.call.callControlId, digits) : false;
  }

  connected(call: DeviceCall): void {
    const entry = this.calls.get(call.callControlId) ?? this.track(call, 'connected');
    entry.state = 'connected';
    entry.timers.clear();
    if (this.behaviour.handleTimeMs !== null) entry.timers.after(this.behaviour.handleTimeMs, () => this.hangup(call.callControlId));
    speakLines(entry.timers, this.behaviour.says, this.behaviour.sayEveryMs, (line) => this.deps.network.say(call.callControlId, line));
  }

  cancelled(call: DeviceCall, _cause: HangupCause): void {
    this.drop(call.callControlId);
  }

  ended(call: DeviceCall, _cause: HangupCause): void {
    this.drop(call.callControlId);
  }

  unregistered(): void {
    for (const entry of this.calls.values()) entry.timers.clear();
  }

  /** Forgets every call without signalling (reset). */
  stop(): void {
    for (const entry of this.calls.values()) entry.timers.clear();
    this.calls.clear();
  }

  snapshot(): PhoneSnapshot {
    return {
      sipUsername: this.sipUsername,
      kind: this.kind,
      behaviour: this.behaviour,
      busy: this.isBusy(),
      calls: [...this.calls.values()].map((e) => ({
        callControlId: e.call.callControlId,
        direction: e.call.direction,
        state: e.state,
        from: e.call.from,
        to: e.call.to,
      })),
    };
  }

  private track(call: DeviceCall, state: PhoneCallState): PhoneCall {
    const entry: PhoneCall = { call, state, timers: new TimerBag(this.deps.clock) };
    this.calls.set(call.callControlId, entry);
    return entry;
  }

  private find(callControlId: string | undefined, state: PhoneCallState): PhoneCall | undefined {
    if (callControlId !== undefined) {
      const entry = this.calls.get(callControlId);
      return entry?.state === state ? entry : undefined;
    }
    for (const entry of this.calls.values()) if (entry.state === state) return entry;
    return undefined;
  }

  private drop(callControlId: string): void {
    const entry = this.calls.get(callControlId);
    if (!entry) return;
    entry.timers.clear();
    this.calls.delete(callControlId);
  }
}

import type { SimClock, TimerHandle } from '../clock';
import type { DequeueReason, FarEnd, HangupCause, Leg } from '../calls/model';
import type { Counters } from '../counters';
import type { CallerScript } from './scripts';
import { TimerBag, speakLines } from './timers';

export interface CallerNetwork {
  farHangup(callControlId: string): boolean;
  farDtmf(callControlId: string, digits: string): boolean;
  farSay(callControlId: string, text: string): boolean;
}

export type CallerOutcome = 'unanswered' | 'abandoned' | 'completed' | 'ended_by_network' | 'gave_up';

/** A simulated person calling in: waits to be answered, presses IVR keys, waits in a queue, talks, hangs up. */
export class SimulatedCaller implements FarEnd {
  readonly kind = 'caller';
  private readonly timers: TimerBag;
  private readonly pressTimers: TimerBag;
  private leg?: Leg;
  private ivrIndex = 0;
  private answerTimer?: TimerHandle;
  private patienceTimer?: TimerHandle;
  private queueDigitTimer?: TimerHandle;
  private talking = false;
  private finished = false;
  outcome?: CallerOutcome;

  constructor(
    readonly label: string,
    private readonly script: CallerScript,
    private readonly deps: {
      network: CallerNetwork;
      clock: SimClock;
      counters: Counters;
      answerTimeoutMs: number;
      onDone: (caller: SimulatedCaller) => void;
    },
  ) {
    this.timers = new TimerBag(deps.clock);
    this.pressTimers = new TimerBag(deps.clock);
  }

  get callControlId(): string | undefined {
    return this.leg?.callControlId;
  }

  start(leg: Leg): void {
    this.leg = leg;
    this.answerTimer = this.timers.after(this.script.answerTimeoutMs ?? this.deps.answerTimeoutMs, () => this.hangup('unanswered'));
    if (this.script.maxCallMs !== null) this.timers.after(this.script.maxCallMs, () => this.hangup('gave_up'));
  }

  answered(): void {
    this.timers.cancel(this.answerTimer);
  }

  gatherStarted(leg: Leg, info: { promptMs: number }): void {
    this.timers.cancel(this.answerTimer);
    this.pressTimers.clear();
    const keys = this.script.ivr[this.ivrIndex++];
    if (!keys) return;
    const start = info.promptMs + this.script.thinkMs;
    [...keys].forEach((digit, i) => {
      this.pressTimers.after(start + i * this.script.interDigitMs, () => this.deps.network.farDtmf(leg.callControlId, digit));
    });
  }

  gatherEnded(): void {
    this.pressTimers.clear();
  }

  enqueued(leg: Leg): void {
    this.timers.cancel(this.patienceTimer);
    if (this.script.patienceMs !== null) this.patienceTimer = this.timers.after(this.script.patienceMs, () => this.hangup('abandoned'));
    const qd = this.script.queueDigit;
    if (qd) this.queueDigitTimer = this.timers.after(qd.afterMs, () => this.deps.network.farDtmf(leg.callControlId, qd.digit));
  }

  dequeued(_leg: Leg, _reason: DequeueReason): void {
    this.timers.cancel(this.patienceTimer);
    this.timers.cancel(this.queueDigitTimer);
  }

  bridged(leg: Leg): void {
    this.timers.cancel(this.answerTimer);
    this.timers.cancel(this.patienceTimer);
    if (this.talking) return;
    this.talking = true;
    this.deps.counters.worldEvent('callersConnected');
    if (this.script.talkMs !== null) this.timers.after(this.script.talkMs, () => this.hangup('completed'));
    speakLines(this.timers, this.script.says, this.script.sayEveryMs, (line) => this.deps.network.farSay(leg.callControlId, line));
  }

  ended(_leg: Leg, _cause: HangupCause): void {
    this.finish('ended_by_network');
  }

  cancelled(_leg: Leg, _cause: HangupCause): void {
    this.finish('ended_by_network');
  }

  /** Ends the caller's timers without touching the network (reset). */
  stop(): void {
    this.finished = true;
    this.timers.clear();
    this.pressTimers.clear();
  }

  private hangup(outcome: CallerOutcome): void {
    if (this.finished || !this.leg) return;
    this.outcome = outcome;
    this.deps.counters.worldEvent(`callers_${outcome}`);
    this.deps.network.farHangup(this.leg.callControlId);
    this.finish(outcome);
  }

  private finish(outcome: CallerOutcome): void {
    if (this.finished) return;
    this.outcome ??= outcome;
    if (outcome === 'ended_by_network') this.deps.counters.worldEvent('callers_ended_by_network');
    this.stop();
    this.deps.onDone(this);
  }
}

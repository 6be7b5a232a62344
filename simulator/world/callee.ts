import type { SimClock } from '../clock';
import type { FarEnd, Leg } from '../calls/model';
import type { CalleeBehaviour } from './scripts';
import { TimerBag, speakLines } from './timers';

export interface CalleeNetwork {
  farAnswer(callControlId: string): boolean;
  farReject(callControlId: string, cause: 'call_rejected' | 'user_busy'): boolean;
  farHangup(callControlId: string): boolean;
  farSay(callControlId: string, text: string): boolean;
}

/** Someone behind a dialed number (a customer of an outbound call, a transfer target). */
export class SimulatedCallee implements FarEnd {
  readonly kind = 'callee';
  private readonly timers: TimerBag;

  constructor(
    readonly label: string,
    private readonly behaviour: CalleeBehaviour,
    private readonly deps: { network: CalleeNetwork; clock: SimClock; onDone: (callee: SimulatedCallee) => void },
  ) {
    this.timers = new TimerBag(deps.clock);
  }

  offered(leg: Leg): void {
    const { network } = this.deps;
    const id = leg.callControlId;
    switch (this.behaviour.onRing) {
      case 'answer':
        this.timers.after(this.behaviour.answerAfterMs, () => {
          if (!network.farAnswer(id)) return this.stop();
          if (this.behaviour.talkMs !== null) {
            this.timers.after(this.behaviour.talkMs, () => {
              network.farHangup(id);
              this.stop();
            });
          }
          speakLines(this.timers, this.behaviour.says, this.behaviour.sayEveryMs, (line) => network.farSay(id, line));
        });
        break;
      case 'reject':
        this.timers.after(500, () => {
          network.farReject(id, 'call_rejected');
          this.stop();
        });
        break;
      case 'busy':
        this.timers.after(200, () => {
          network.farReject(id, 'user_busy');
          this.stop();
        });
        break;
      case 'ignore':
        break;
    }
  }

  cancelled(): void {
    this.stop();
  }

  ended(): void {
    this.stop();
  }

  stop(): void {
    this.timers.clear();
    this.deps.onDone(this);
  }
}

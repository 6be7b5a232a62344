import { UnavailableError } from '../../../api/core/errors';
import type { RecordedEvent, Subscription } from '../../../api/infrastructure/eventStore/eventStore';

/**
 * An outage switch around a real store (event store or read-model store): while `down`, every call
 * fails with UnavailableError as an unreachable EventStoreDB or MongoDB does, and open subscriptions
 * fail on their next read. `faults` counts the calls that failed.
 */
export class OutageSwitch {
  down = false;
  faults = 0;

  constructor(readonly label: string) {}

  private fail(): UnavailableError {
    this.faults += 1;
    return new UnavailableError(`${this.label} is unreachable (switched off by the test)`);
  }

  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, property) => {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'close') return method.bind(object);
        if (property === 'subscribeToAll') {
          return (...args: unknown[]) => {
            if (this.down) throw this.fail();
            return this.wrapSubscription(method.apply(object, args) as Subscription);
          };
        }
        return (...args: unknown[]) => (this.down ? Promise.reject(this.fail()) : method.apply(object, args));
      },
    });
  }

  private wrapSubscription(inner: Subscription): Subscription {
    const isDown = (): boolean => this.down;
    const fail = (): UnavailableError => this.fail();
    return {
      get isCaughtUp() {
        return inner.isCaughtUp;
      },
      close: () => inner.close(),
      async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
        for await (const event of inner) {
          if (isDown()) {
            await inner.close();
            throw fail();
          }
          yield event;
        }
      },
    };
  }

  /** Down for `ms` of real time. */
  async outage(ms: number): Promise<void> {
    this.down = true;
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.down = false;
  }
}

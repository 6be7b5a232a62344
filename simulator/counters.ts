import type { FaultKind } from './config';

export interface WebhookCounts {
  /** Events emitted (each data.id once). */
  sent: number;
  /** HTTP deliveries acknowledged with a 2xx (duplicate copies included). */
  delivered: number;
  /** Attempts that failed: non-2xx, timeout, connection error or a dropped first attempt. */
  failed: number;
  /** Attempts after the first one of an event. */
  redelivered: number;
  /** Attempts that went to the failover URL. */
  failover: number;
  /** HTTP POSTs made. */
  attempts: number;
  /** Events given up after the last attempt (or with no URL configured). */
  abandoned: number;
}

export interface CountersSnapshot {
  webhooks: { total: WebhookCounts; byEventType: Record<string, WebhookCounts> };
  commands: {
    /** Requests received per action (`dial`, `answer`, ..., `client_state_update`), before dedupe. */
    received: Record<string, number>;
    /** Requests whose command_id was already used on the same leg (or dial) within 60 simulated seconds: answered 200, not executed. */
    duplicateCommandIds: number;
    duplicateCommandIdsByAction: Record<string, number>;
    /** Error answers by HTTP status. */
    errors: Record<string, number>;
  };
  faults: Record<FaultKind, number>;
  world: Record<string, number>;
}

const emptyWebhookCounts = (): WebhookCounts => ({ sent: 0, delivered: 0, failed: 0, redelivered: 0, failover: 0, attempts: 0, abandoned: 0 });

export class Counters {
  private total = emptyWebhookCounts();
  private byEvent = new Map<string, WebhookCounts>();
  private commands = new Map<string, number>();
  private duplicates = new Map<string, number>();
  private duplicateTotal = 0;
  private errors = new Map<string, number>();
  private faults: Record<FaultKind, number> = emptyFaults();
  private world = new Map<string, number>();

  webhook(eventType: string, field: keyof WebhookCounts, by = 1): void {
    this.total[field] += by;
    let counts = this.byEvent.get(eventType);
    if (!counts) {
      counts = emptyWebhookCounts();
      this.byEvent.set(eventType, counts);
    }
    counts[field] += by;
  }

  command(action: string): void {
    inc(this.commands, action);
  }

  duplicateCommand(action: string): void {
    this.duplicateTotal++;
    inc(this.duplicates, action);
  }

  error(status: number): void {
    inc(this.errors, String(status));
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++;
  }

  worldEvent(name: string): void {
    inc(this.world, name);
  }

  reset(): void {
    this.total = emptyWebhookCounts();
    this.byEvent.clear();
    this.commands.clear();
    this.duplicates.clear();
    this.duplicateTotal = 0;
    this.errors.clear();
    this.faults = emptyFaults();
    this.world.clear();
  }

  snapshot(): CountersSnapshot {
    return {
      webhooks: { total: { ...this.total }, byEventType: Object.fromEntries([...this.byEvent].map(([k, v]) => [k, { ...v }])) },
      commands: {
        received: Object.fromEntries(this.commands),
        duplicateCommandIds: this.duplicateTotal,
        duplicateCommandIdsByAction: Object.fromEntries(this.duplicates),
        errors: Object.fromEntries(this.errors),
      },
      faults: { ...this.faults },
      world: Object.fromEntries(this.world),
    };
  }
}

function inc(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function emptyFaults(): Record<FaultKind, number> {
  return { duplicate: 0, reorder: 0, delay: 0, dropFirstAttempt: 0, rest5xx: 0, restTimeout: 0 };
}

import http from 'node:http';
import https from 'node:https';
import type { WebhookDelivery } from '../config';
import type { Counters } from '../counters';
import type { FaultController } from '../faults';
import { signWebhook, type SigningKeys } from '../keys';
import type { SimLogger } from '../logger';
import type { Rng } from '../rng';

/** One webhook event, as Telnyx would emit it (the envelope's `data`). */
export interface WebhookEvent {
  id: string;
  eventType: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  /** A per-leg URL (dial `webhook_url`) that replaces the configured primary URL. */
  urlOverride?: string;
}

export interface WebhookEnvelope {
  data: { record_type: 'event'; id: string; event_type: string; occurred_at: string; payload: Record<string, unknown> };
  meta: { attempt: number; delivered_to: string };
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  attempt: number;
  url: string;
  status: number | null;
  outcome: 'delivered' | 'failed' | 'dropped';
  error?: string;
  duplicate: boolean;
  at: string;
}

interface Delivery {
  event: WebhookEvent;
  attempt: number;
  duplicate: boolean;
}

export interface WebhookUrls {
  webhookUrl?: string;
  failoverUrl?: string;
}

const LOG_SIZE = 500;

/**
 * Delivers events like Telnyx: signed POSTs, concurrent (so not ordered), retried on non-2xx or
 * timeout with back-off and a fresh signature, moved to the failover URL after the primary's
 * attempts, plus the injectable delivery faults.
 */
export class WebhookDispatcher {
  private readonly queue: Delivery[] = [];
  private active = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<http.ClientRequest>();
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly log: DeliveryRecord[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private pumpScheduled = false;
  /** Bumped by clear(): attempts started before it do not record or retry. */
  private generation = 0;

  constructor(
    private readonly deps: {
      keys: SigningKeys;
      config: WebhookDelivery;
      urls: () => WebhookUrls;
      faults: FaultController;
      counters: Counters;
      rng: Rng;
      logger: SimLogger;
    },
  ) {
    const agentOptions = { keepAlive: true, maxSockets: deps.config.concurrency * 2 };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  enqueue(event: WebhookEvent): void {
    if (this.closed) return;
    this.deps.counters.webhook(event.eventType, 'sent');
    this.submit({ event, attempt: 1, duplicate: false });
  }

  /** The last deliveries (newest last). */
  recent(limit = 100): DeliveryRecord[] {
    return this.log.slice(-limit);
  }

  pending(): number {
    return this.queue.length + this.active + this.timers.size;
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops everything queued or scheduled (used by reset). */
  clear(): void {
    this.generation++;
    this.queue.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const req of this.inflight) req.destroy();
    this.log.length = 0;
    this.checkIdle();
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.releaseIdle();
  }

  private submit(delivery: Delivery): void {
    let holdMs = 0;
    if (delivery.attempt === 1 && !delivery.duplicate) {
      const faults = this.deps.faults.get();
      if (this.deps.faults.roll('reorder')) holdMs += this.deps.rng.between(0, faults.reorder.windowMs);
      if (this.deps.faults.roll('delay')) holdMs += faults.delay.delayMs;
    }
    if (holdMs > 0) this.later(holdMs, () => this.push(delivery));
    else this.push(delivery);
  }

  private push(delivery: Delivery): void {
    if (this.closed) return;
    this.queue.push(delivery);
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
      this.checkIdle();
    }, ms);
    this.timers.add(t);
  }

  private pump(): void {
    while (!this.closed && this.active < this.deps.config.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      this.active++;
      void this.attempt(delivery).finally(() => {
        this.active--;
        this.pump();
        this.checkIdle();
      });
    }
    this.checkIdle();
  }

  private resolveUrl(delivery: Delivery): { url: string; failover: boolean } | undefined {
    const { webhookUrl, failoverUrl } = this.deps.urls();
    const primary = delivery.event.urlOverride ?? webhookUrl;
    if (delivery.attempt > this.deps.config.primaryAttempts && failoverUrl) return { url: failoverUrl, failover: true };
    if (primary) return { url: primary, failover: false };
    if (failoverUrl) return { url: failoverUrl, failover: true };
    return undefined;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    const { counters, config } = this.deps;
    const target = this.resolveUrl(delivery);
    if (!target) {
      counters.webhook(event.eventType, 'abandoned');
      this.deps.logger.debug({ eventType: event.eventType, eventId: event.id }, 'no webhook URL configured; event dropped');
      return;
    }
    const envelope: WebhookEnvelope = {
      data: { record_type: 'event', id: event.id, event_type: event.eventType, occurred_at: event.occurredAt, payload: event.payload },
      meta: { attempt: delivery.attempt, delivered_to: target.url },
    };
    const body = JSON.stringify(envelope);
    // Transport time, not simulated time: receivers check it against their own wall clock (±300 s).
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signWebhook(this.deps.keys, timestamp, body);

    counters.webhook(event.eventType, 'attempts');
    if (delivery.attempt > 1 && !delivery.duplicate) counters.webhook(event.eventType, 'redelivered');
    if (target.failover) counters.webhook(event.eventType, 'failover');

    const dropThisOne = delivery.attempt === 1 && !delivery.duplicate && this.deps.faults.roll('dropFirstAttempt');
    const generation = this.generation;
    let status: number | null = null;
    let error: string | undefined;
    try {
      status = await this.post(target.url, body, timestamp, signature, config.timeoutMs);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (this.closed || generation !== this.generation) return;
    const ok = status !== null && status >= 200 && status < 300 && !dropThisOne;
    this.record({
      eventId: event.id,
      eventType: event.eventType,
      attempt: delivery.attempt,
      url: target.url,
      status,
      outcome: ok ? 'delivered' : dropThisOne ? 'dropped' : 'failed',
      error,
      duplicate: delivery.duplicate,
      at: new Date().toISOString(),
    });

    if (ok) {
      counters.webhook(event.eventType, 'delivered');
      if (!delivery.duplicate && this.deps.faults.roll('duplicate')) this.submit({ event, attempt: 1, duplicate: true });
      return;
    }
    counters.webhook(event.eventType, 'failed');
    this.deps.logger.debug({ eventType: event.eventType, eventId: event.id, attempt: delivery.attempt, status, error }, 'webhook attempt failed');
    if (delivery.duplicate) return;
    if (delivery.attempt >= config.maxAttempts) {
      counters.webhook(event.eventType, 'abandoned');
      this.deps.logger.warn({ eventType: event.eventType, eventId: event.id }, 'webhook abandoned after the last attempt');
      return;
    }
    const delays = config.retryDelaysMs;
    const wait = delays[Math.min(delivery.attempt - 1, delays.length - 1)]!;
    this.later(wait, () => this.push({ event, attempt: delivery.attempt + 1, duplicate: false }));
  }

  private post(url: string, body: string, timestamp: string, signature: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const isHttps = target.protocol === 'https:';
      const req = (isHttps ? https : http).request(
        target,
        {
          method: 'POST',
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'telnyx-webhooks',
            'telnyx-timestamp': timestamp,
            'telnyx-signature-ed25519': signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      this.inflight.add(req);
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => {
        clearTimeout(timer);
        this.inflight.delete(req);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private record(entry: DeliveryRecord): void {
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  private checkIdle(): void {
    if (this.pending() === 0) this.releaseIdle();
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

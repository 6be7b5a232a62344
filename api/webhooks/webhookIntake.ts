import { performance } from 'node:perf_hooks';
import { uuidV5, uuidV5Namespace } from '../core/nameBasedUuid';
import type { Logger } from '../core/logger';
import type { EventData, EventMetadata, EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { DedupingAppender, type DedupeOutcome, type DedupingAppenderCounters } from './dedupingAppender';
import { parseWebhook, type ParsedWebhook, type WebhookMeta } from './envelope';
import { TelnyxSignatureVerifier, type HeaderBag, type SignatureFailureReason } from './signature';

// ---- the stored event -------------------------------------------------------------------------

export const TELNYX_WEBHOOK_RECEIVED = 'TelnyxWebhookReceived' as const;

/** UUIDv5 namespace of webhook event ids: event id = uuidv5(data.id, this). Never change it. */
export const WEBHOOK_EVENT_ID_NAMESPACE = '637ccae1-865a-4036-bdae-7005b9869678';

export interface TelnyxWebhookReceivedData {
  /** Telnyx `data.id`, the dedupe key. */
  webhookId: string;
  eventType: string;
  /** Telnyx `data.occurred_at`, exactly as sent. */
  occurredAt: string;
  callSessionId: string | null;
  callControlId: string | null;
  callLegId: string | null;
  payload: Record<string, unknown>;
  /** Telnyx `meta` of the delivery that was stored (the first one that arrived). */
  meta: WebhookMeta | null;
  /** The request body exactly as received (UTF-8). */
  raw: string;
}

export interface TelnyxWebhookReceivedMetadata extends EventMetadata {
  correlationId: string;
  causationId: string;
  actor: 'telnyx';
  receivedAt: string;
}

export type TelnyxWebhookReceived = EventData<typeof TELNYX_WEBHOOK_RECEIVED, TelnyxWebhookReceivedData> & {
  metadata: TelnyxWebhookReceivedMetadata;
};

const WEBHOOK_NAMESPACE_BYTES = uuidV5Namespace(WEBHOOK_EVENT_ID_NAMESPACE);
export const webhookEventId = (webhookId: string): string => uuidV5(webhookId, WEBHOOK_NAMESPACE_BYTES);

export const callStreamId = (callSessionId: string): string => `call-${callSessionId}`;

/** A call's webhooks go to its call stream; the few without a call session to one stream per type. */
export const webhookStreamId = (webhook: Pick<ParsedWebhook, 'callSessionId' | 'eventType'>): string =>
  webhook.callSessionId !== null ? callStreamId(webhook.callSessionId) : `telnyx-${webhook.eventType}`;

export const isTelnyxWebhookReceived = (event: RecordedEvent): event is RecordedEvent<typeof TELNYX_WEBHOOK_RECEIVED, TelnyxWebhookReceivedData> =>
  event.type === TELNYX_WEBHOOK_RECEIVED;

/** A stored webhook's dedupe key: its event id, derived from the webhook id alone (no need to read its data). */
const storedWebhookKey = (event: RecordedEvent): string | undefined => (event.type === TELNYX_WEBHOOK_RECEIVED ? event.id.toLowerCase() : undefined);

// ---- outcomes and counters --------------------------------------------------------------------

export type WebhookRejectionReason =
  | SignatureFailureReason
  | 'invalid_utf8'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'invalid_payload'
  | 'body_too_large'
  | 'unreadable_body';

export interface IntakeResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Upper bounds (ms) of the latency buckets; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000] as const;

export interface LatencySummary {
  count: number;
  sumMs: number;
  maxMs: number;
  /** counts[i] = observations <= LATENCY_BUCKETS_MS[i] and above the previous bound; the last entry is the overflow. */
  counts: number[];
}

export interface WebhookIntakeStats {
  received: number;
  appended: number;
  duplicates: number;
  rejected: Partial<Record<WebhookRejectionReason, number>>;
  storeErrors: number;
  internalErrors: number;
  /** Only accepted webhooks (appended or duplicate), from verified body to answer. */
  latency: LatencySummary;
  store: DedupingAppenderCounters;
}

// ---- the intake -------------------------------------------------------------------------------

export interface WebhookIntakeOptions {
  eventStore: EventStore;
  /** Base64 of the 32 raw bytes of the Telnyx account's Ed25519 public key. */
  publicKey: string;
  logger: Logger;
  clock?: () => Date;
  toleranceSeconds?: number;
  retryAfterSeconds?: number;
  /** Call streams whose webhook ids are kept in memory. */
  dedupeCacheStreams?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Verifies, validates, dedupes and appends one Telnyx webhook, and says what to answer. Knows
 * nothing of HTTP frameworks; `createWebhookRouter` puts it behind express.
 */
export class WebhookIntake {
  private readonly verifier: TelnyxSignatureVerifier;
  private readonly appender: DedupingAppender;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly retryAfterSeconds: number;
  private readonly counts = { received: 0, appended: 0, duplicates: 0, storeErrors: 0, internalErrors: 0 };
  private readonly rejected: Partial<Record<WebhookRejectionReason, number>> = {};
  private readonly latency: LatencySummary = { count: 0, sumMs: 0, maxMs: 0, counts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0) };

  constructor(options: WebhookIntakeOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.verifier = new TelnyxSignatureVerifier({ publicKey: options.publicKey, clock: this.clock, toleranceSeconds: options.toleranceSeconds });
    this.appender = new DedupingAppender({ eventStore: options.eventStore, dedupeKeyOf: storedWebhookKey, keysFromHeaders: true, cacheStreams: options.dedupeCacheStreams });
    this.logger = options.logger;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  stats(): WebhookIntakeStats {
    return {
      ...this.counts,
      rejected: { ...this.rejected },
      latency: { ...this.latency, counts: [...this.latency.counts] },
      store: { ...this.appender.counters },
    };
  }

  async handle(rawBody: Buffer, headers: HeaderBag): Promise<IntakeResponse> {
    this.counts.received += 1;
    try {
      return await this.process(rawBody, headers);
    } catch (error) {
      // Only a defect gets here (store failures are answered inside): still answer, so Telnyx retries.
      this.counts.internalErrors += 1;
      this.logger.error({ outcome: 'internal_error', err: error }, 'webhook intake failed');
      return { status: 500, body: { error: { code: 'INTERNAL', reason: 'internal_error', message: 'the webhook could not be handled; deliver it again' } } };
    }
  }

  private async process(rawBody: Buffer, headers: HeaderBag): Promise<IntakeResponse> {
    const started = performance.now();

    const signature = await this.verifier.checkAsync(rawBody, headers);
    if (!signature.ok) return this.reject(401, 'UNAUTHENTICATED', signature.reason, signature.message);

    let raw: string;
    try {
      raw = utf8.decode(rawBody);
    } catch {
      return this.reject(400, 'VALIDATION', 'invalid_utf8', 'body is not valid UTF-8');
    }
    const parsed = parseWebhook(raw);
    if (!parsed.ok) {
      switch (parsed.reason) {
        case 'malformed_json':
          return this.reject(400, 'VALIDATION', parsed.reason, parsed.message);
        case 'invalid_envelope':
          return this.reject(400, 'VALIDATION', parsed.reason, parsed.message, { issues: parsed.issues });
        case 'invalid_payload':
          return this.reject(400, 'VALIDATION', parsed.reason, parsed.message, { issues: parsed.issues }, { webhookId: parsed.webhookId, eventType: parsed.eventType });
      }
    }

    const streamId = webhookStreamId(parsed);
    const ids = { webhookId: parsed.webhookId, eventType: parsed.eventType, callSessionId: parsed.callSessionId, callControlId: parsed.callControlId, streamId, attempt: parsed.envelope.meta?.attempt };
    let outcome: DedupeOutcome;
    try {
      outcome = await this.appender.submit(streamId, { dedupeKey: webhookEventId(parsed.webhookId), event: this.toEvent(parsed, raw) });
    } catch (error) {
      this.counts.storeErrors += 1;
      this.logger.error({ outcome: 'store_failed', ...ids, err: error }, 'webhook not stored, asking for redelivery');
      return {
        status: 503,
        headers: { 'Retry-After': String(this.retryAfterSeconds) },
        body: { error: { code: 'UNAVAILABLE', reason: 'store_unavailable', message: 'the webhook could not be stored; deliver it again' } },
      };
    }

    const ms = this.observe(started);
    if (outcome.status === 'duplicate') {
      this.counts.duplicates += 1;
      this.logger.info({ outcome: 'duplicate', ...ids, ms }, 'webhook already stored');
      return { status: 200, body: { status: 'duplicate', webhookId: parsed.webhookId } };
    }
    this.counts.appended += 1;
    this.logger.info({ outcome: 'appended', ...ids, revision: outcome.revision.toString(), ms }, 'webhook stored');
    return { status: 200, body: { status: 'appended', webhookId: parsed.webhookId } };
  }

  /** For rejections decided before the intake sees a body (size limit, unreadable request). */
  rejectRequest(status: number, reason: 'body_too_large' | 'unreadable_body', message: string): IntakeResponse {
    this.counts.received += 1;
    return this.reject(status, 'VALIDATION', reason, message);
  }

  private toEvent(parsed: ParsedWebhook, raw: string): TelnyxWebhookReceived {
    const { data, meta } = parsed.envelope;
    return {
      id: webhookEventId(parsed.webhookId),
      type: TELNYX_WEBHOOK_RECEIVED,
      data: {
        webhookId: parsed.webhookId,
        eventType: parsed.eventType,
        occurredAt: parsed.occurredAt,
        callSessionId: parsed.callSessionId,
        callControlId: parsed.callControlId,
        callLegId: parsed.callLegId,
        payload: data.payload,
        meta: meta ?? null,
        raw,
      },
      metadata: {
        correlationId: parsed.callSessionId ?? parsed.webhookId,
        causationId: parsed.webhookId,
        actor: 'telnyx',
        receivedAt: this.clock().toISOString(),
      },
    };
  }

  private reject(
    status: number,
    code: 'UNAUTHENTICATED' | 'VALIDATION',
    reason: WebhookRejectionReason,
    message: string,
    extra: Record<string, unknown> = {},
    logIds: Record<string, unknown> = {},
  ): IntakeResponse {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.logger.warn({ outcome: 'rejected', status, reason, ...logIds, detail: message }, 'webhook rejected');
    return { status, body: { error: { code, reason, message, ...extra } } };
  }

  private observe(started: number): number {
    const ms = performance.now() - started;
    const latency = this.latency;
    latency.count += 1;
    latency.sumMs += ms;
    if (ms > latency.maxMs) latency.maxMs = ms;
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    latency.counts[bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket] += 1;
    return Math.round(ms * 1000) / 1000;
  }
}

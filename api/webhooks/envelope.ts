import { z } from 'zod';

/**
 * The Telnyx Call Control v2 webhook envelope and the payloads of the call events callstream uses
 * (reference/telnyx.md §1). Every object is loose: fields we do not model are kept as they came.
 * A payload schema requires only what callstream relies on, so an extra or missing optional field
 * on Telnyx's side never costs us a webhook.
 */

const nonEmpty = z.string().min(1);
const optionalText = z.string().nullish();

export const webhookMetaSchema = z.looseObject({
  attempt: z.number().int().min(1),
  delivered_to: z.string(),
});

export const webhookEnvelopeSchema = z.looseObject({
  data: z.looseObject({
    record_type: z.literal('event'),
    id: nonEmpty.max(256),
    event_type: nonEmpty.max(128).regex(/^[A-Za-z0-9_.-]+$/, 'event_type must be a dotted name'),
    occurred_at: z.iso.datetime({ offset: true }),
    payload: z.looseObject({}),
  }),
  meta: webhookMetaSchema.optional(),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
export type WebhookMeta = z.infer<typeof webhookMetaSchema>;

// ---- payloads ---------------------------------------------------------------------------------

const sessionIds = {
  call_session_id: nonEmpty,
  call_leg_id: optionalText,
  client_state: optionalText,
  connection_id: optionalText,
};
const legIds = { ...sessionIds, call_control_id: nonEmpty };
const parties = { from: optionalText, to: optionalText };

const legEvent = <Shape extends z.ZodRawShape>(shape: Shape) => z.looseObject({ ...legIds, ...shape });

const recordingUrls = z.looseObject({ mp3: optionalText, wav: optionalText });

export const callEventPayloadSchemas = {
  'call.initiated': legEvent({
    ...parties,
    direction: z.enum(['incoming', 'outgoing']),
    state: optionalText,
    start_time: optionalText,
  }),
  'call.answered': legEvent({ ...parties, start_time: optionalText }),
  'call.hangup': legEvent({
    ...parties,
    hangup_cause: nonEmpty,
    hangup_source: optionalText,
    sip_hangup_cause: optionalText,
    start_time: optionalText,
  }),
  'call.bridged': legEvent(parties),
  'call.dtmf.received': legEvent({ ...parties, digit: nonEmpty }),
  'call.gather.ended': legEvent({ ...parties, digits: optionalText, status: nonEmpty }),
  'call.speak.started': legEvent({}),
  'call.speak.ended': legEvent({ status: optionalText }),
  'call.playback.started': legEvent({ media_url: optionalText, media_name: optionalText }),
  'call.playback.ended': legEvent({ media_url: optionalText, media_name: optionalText, status: optionalText, status_detail: optionalText }),
  'call.enqueued': legEvent({ queue: nonEmpty, current_position: z.number().int(), queue_avg_wait_time_secs: z.number().nullish() }),
  'call.dequeued': legEvent({ queue: nonEmpty, queue_position: z.number().int().nullish(), reason: optionalText, wait_time_secs: z.number().nullish() }),
  // Keyed on the leg and session only: Telnyx does not promise a call_control_id here.
  'call.recording.saved': z.looseObject({
    ...sessionIds,
    call_control_id: optionalText,
    recording_id: optionalText,
    channels: optionalText,
    recording_started_at: optionalText,
    recording_ended_at: optionalText,
    recording_urls: recordingUrls,
    public_recording_urls: recordingUrls.nullish(),
  }),
  'call.recording.error': legEvent({ reason: optionalText }),
  'call.transcription': legEvent({
    transcription_data: z.looseObject({
      transcript: z.string(),
      is_final: z.boolean(),
      confidence: z.number().nullish(),
      transcription_track: optionalText,
    }),
  }),
  'call.machine.detection.ended': legEvent({ ...parties, result: nonEmpty }),
  'call.machine.greeting.ended': legEvent({ ...parties, result: nonEmpty }),
  'call.machine.premium.detection.ended': legEvent({ ...parties, result: nonEmpty }),
  'call.machine.premium.greeting.ended': legEvent({ ...parties, result: nonEmpty }),
} as const;

export type CallEventType = keyof typeof callEventPayloadSchemas;
export type CallEventPayload<Type extends CallEventType = CallEventType> = z.infer<(typeof callEventPayloadSchemas)[Type]>;

export const isCallEventType = (eventType: string): eventType is CallEventType => Object.hasOwn(callEventPayloadSchemas, eventType);

// ---- parsing ----------------------------------------------------------------------------------

export type WebhookParseFailure =
  | { ok: false; reason: 'malformed_json'; message: string }
  | { ok: false; reason: 'invalid_envelope'; message: string; issues: z.core.$ZodIssue[] }
  | { ok: false; reason: 'invalid_payload'; message: string; issues: z.core.$ZodIssue[]; webhookId: string; eventType: CallEventType };

export interface ParsedWebhook {
  ok: true;
  envelope: WebhookEnvelope;
  webhookId: string;
  eventType: string;
  occurredAt: string;
  /** True when the event type has a payload schema (and the payload passed it). */
  known: boolean;
  callSessionId: string | null;
  callControlId: string | null;
  callLegId: string | null;
}

export type WebhookParseResult = ParsedWebhook | WebhookParseFailure;

const idField = (payload: Record<string, unknown>, name: string): string | null => {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
};

export const parseWebhook = (rawText: string): WebhookParseResult => {
  let json: unknown;
  try {
    json = JSON.parse(rawText);
  } catch (error) {
    return { ok: false, reason: 'malformed_json', message: `body is not JSON: ${(error as Error).message}` };
  }
  const envelope = webhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return { ok: false, reason: 'invalid_envelope', message: z.prettifyError(envelope.error), issues: envelope.error.issues };
  }
  const { data } = envelope.data;
  const eventType = data.event_type;
  const known = isCallEventType(eventType);
  if (isCallEventType(eventType)) {
    const payload = callEventPayloadSchemas[eventType].safeParse(data.payload);
    if (!payload.success) {
      const issues = payload.error.issues.map((issue): z.core.$ZodIssue => ({ ...issue, path: ['data', 'payload', ...issue.path] }));
      return { ok: false, reason: 'invalid_payload', message: `${eventType}: ${z.prettifyError(payload.error)}`, issues, webhookId: data.id, eventType };
    }
  }
  return {
    ok: true,
    envelope: envelope.data,
    webhookId: data.id,
    eventType: data.event_type,
    occurredAt: data.occurred_at,
    known,
    callSessionId: idField(data.payload, 'call_session_id'),
    callControlId: idField(data.payload, 'call_control_id'),
    callLegId: idField(data.payload, 'call_leg_id'),
  };
};

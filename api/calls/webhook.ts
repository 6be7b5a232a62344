import { z } from 'zod';

////////////////////////////////////////// The webhook event appended by the intake (verbatim Telnyx v2 envelope + lifted ids)

/** Telnyx call payload fields callstream reads (telnyx.md §1.4); every other field is kept in `raw`. */
export interface TelnyxCallPayload {
  call_control_id?: string | null;
  call_leg_id?: string | null;
  call_session_id?: string | null;
  client_state?: string | null;
  connection_id?: string | null;
  from?: string | null;
  to?: string | null;
  direction?: 'incoming' | 'outgoing' | string | null;
  state?: string | null;
  start_time?: string | null;
  caller_id_name?: string | null;
  from_sip_uri?: string | null;
  to_sip_uri?: string | null;
  custom_headers?: Array<{ name: string; value: string }> | null;
  hangup_cause?: string | null;
  hangup_source?: string | null;
  sip_hangup_cause?: string | null;
  digit?: string | null;
  digits?: string | null;
  status?: string | null;
  queue?: string | null;
  current_position?: number | null;
  queue_position?: number | null;
  reason?: string | null;
  wait_time_secs?: number | null;
  recording_id?: string | null;
  channels?: 'single' | 'dual' | string | null;
  recording_started_at?: string | null;
  recording_ended_at?: string | null;
  recording_urls?: { mp3?: string | null; wav?: string | null } | null;
  public_recording_urls?: { mp3?: string | null; wav?: string | null } | null;
  transcription_data?: {
    transcript?: string | null;
    confidence?: number | null;
    is_final?: boolean | null;
    transcription_track?: string | null;
  } | null;
  [field: string]: unknown;
}

export interface TelnyxWebhookData {
  /** Telnyx `data.id`: unique per webhook event; the dedupe key. */
  webhookId: string;
  /** Telnyx `data.event_type`, e.g. `call.answered`. */
  eventType: string;
  /** Telnyx `data.occurred_at` (ISO-8601). */
  occurredAt: string;
  callSessionId: string | null;
  callControlId: string | null;
  callLegId: string | null;
  payload: TelnyxCallPayload;
  meta?: unknown;
  raw?: unknown;
}

export type TelnyxWebhookReceived = { type: 'TelnyxWebhookReceived'; data: TelnyxWebhookData };

/** A copy of a webhook whose leg belongs to another call (client_state names it), appended to that call's stream. */
export type TelnyxWebhookLinked = { type: 'TelnyxWebhookLinked'; data: TelnyxWebhookData & { linkedFromStreamId: string } };

////////////////////////////////////////// client_state: base64 JSON set on every leg callstream creates or answers

export type LegRole = 'customer' | 'agent' | 'supervisor' | 'consult' | 'outbound';

export interface ClientState {
  /** The callstream call (stream `call-<callId>`) the leg belongs to. */
  callId: string;
  role: LegRole;
  agentId?: string;
  offerId?: string;
  supervisorId?: string;
  transferId?: string;
}

const clientStateSchema = z.object({
  callId: z.string().min(1),
  role: z.enum(['customer', 'agent', 'supervisor', 'consult', 'outbound']),
  agentId: z.string().optional(),
  offerId: z.string().optional(),
  supervisorId: z.string().optional(),
  transferId: z.string().optional(),
});

export const encodeClientState = (state: ClientState): string => Buffer.from(JSON.stringify(state), 'utf8').toString('base64');

/** Decodes defensively: absent, null, foreign or malformed client_state gives undefined. */
export const decodeClientState = (encoded: string | null | undefined): ClientState | undefined => {
  if (!encoded) return undefined;
  try {
    const parsed = clientStateSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
    if (!parsed.success) return undefined;
    const { callId, role, agentId, offerId, supervisorId, transferId } = parsed.data;
    return {
      callId,
      role,
      ...(agentId !== undefined ? { agentId } : {}),
      ...(offerId !== undefined ? { offerId } : {}),
      ...(supervisorId !== undefined ? { supervisorId } : {}),
      ...(transferId !== undefined ? { transferId } : {}),
    };
  } catch {
    return undefined;
  }
};

////////////////////////////////////////// Which call a webhook belongs to

export const callStreamId = (callId: string): string => `call-${callId}`;
export const CALL_STREAM_PREFIX = 'call-';

/**
 * The call a webhook must be handled on: the call named by the leg's client_state, else the Telnyx session.
 * Legs callstream dials with `link_to` share the customer's session; a callback's legs do not, so their
 * client_state is what ties them to the original call.
 */
export const owningCallId = (webhook: TelnyxWebhookData): string | undefined =>
  decodeClientState(webhook.payload.client_state)?.callId ?? webhook.callSessionId ?? webhook.payload.call_session_id ?? undefined;

/** The SIP user of a WebRTC/credential leg (`sip:alice123@sip.telnyx.com` → `alice123`), used to find the agent who dialled out. */
export const sipUsernameOf = (uri: string | null | undefined): string | undefined => {
  if (!uri) return undefined;
  const match = /^sips?:([^@;]+)@/i.exec(uri);
  return match ? match[1] : undefined;
};

export const customHeader = (webhook: TelnyxWebhookData, name: string): string | undefined =>
  webhook.payload.custom_headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

export const CALL_ID_HEADER = 'X-Callstream-Call-Id';
export const OFFER_ID_HEADER = 'X-Callstream-Offer-Id';
export const QUEUE_ID_HEADER = 'X-Callstream-Queue-Id';

import { encodeClientState, type ClientState, type TelnyxCallPayload, type TelnyxWebhookData } from './webhook';

/**
 * Builders of Telnyx v2 call webhooks as the intake appends them, for tests of the call flow (deciders,
 * reactor, read models). Field names and values follow telnyx.md §1.4.
 */

export interface WebhookOptions {
  id: string;
  at: string;
  session: string;
  callControlId: string;
  callLegId?: string;
  clientState?: ClientState | null;
  payload?: Partial<TelnyxCallPayload>;
}

export const telnyxWebhook = (eventType: string, o: WebhookOptions): TelnyxWebhookData => {
  const callLegId = o.callLegId ?? `leg-${o.callControlId}`;
  const payload: TelnyxCallPayload = {
    call_control_id: o.callControlId,
    call_leg_id: callLegId,
    call_session_id: o.session,
    client_state: o.clientState ? encodeClientState(o.clientState) : null,
    connection_id: 'cc-app-1',
    ...o.payload,
  };
  return {
    webhookId: o.id,
    eventType,
    occurredAt: o.at,
    callSessionId: o.session,
    callControlId: o.callControlId,
    callLegId,
    payload,
    meta: { attempt: 1, delivered_to: 'http://localhost/webhooks/telnyx' },
    raw: { data: { record_type: 'event', id: o.id, event_type: eventType, occurred_at: o.at, payload } },
  };
};

export const callInitiated = (o: WebhookOptions & { from: string; to: string; direction: 'incoming' | 'outgoing' }): TelnyxWebhookData =>
  telnyxWebhook('call.initiated', { ...o, payload: { from: o.from, to: o.to, direction: o.direction, state: 'parked', start_time: o.at, ...o.payload } });

export const callAnswered = (o: WebhookOptions): TelnyxWebhookData => telnyxWebhook('call.answered', { ...o, payload: { state: 'answered', ...o.payload } });

export const callBridged = (o: WebhookOptions): TelnyxWebhookData => telnyxWebhook('call.bridged', o);

export const callHangup = (o: WebhookOptions & { cause?: string; source?: 'caller' | 'callee' | 'unknown' }): TelnyxWebhookData =>
  telnyxWebhook('call.hangup', { ...o, payload: { state: 'hangup', hangup_cause: o.cause ?? 'normal_clearing', hangup_source: o.source ?? 'caller', sip_hangup_cause: 'unspecified', ...o.payload } });

export const gatherEnded = (o: WebhookOptions & { digits: string; status: 'valid' | 'invalid' | 'timeout' | 'call_hangup' | 'cancelled' }): TelnyxWebhookData =>
  telnyxWebhook('call.gather.ended', { ...o, payload: { digits: o.digits, status: o.status, ...o.payload } });

export const speakEnded = (o: WebhookOptions & { status?: 'completed' | 'call_hangup' }): TelnyxWebhookData => telnyxWebhook('call.speak.ended', { ...o, payload: { status: o.status ?? 'completed', ...o.payload } });

export const callEnqueued = (o: WebhookOptions & { queue: string; position?: number }): TelnyxWebhookData =>
  telnyxWebhook('call.enqueued', { ...o, payload: { queue: o.queue, current_position: o.position ?? 1, queue_avg_wait_time_secs: 0, ...o.payload } });

export const dtmfReceived = (o: WebhookOptions & { digit: string }): TelnyxWebhookData => telnyxWebhook('call.dtmf.received', { ...o, payload: { digit: o.digit, ...o.payload } });

export const recordingSaved = (o: WebhookOptions & { recordingId: string; startedAt: string; endedAt: string; channels?: 'single' | 'dual' }): TelnyxWebhookData =>
  telnyxWebhook('call.recording.saved', {
    ...o,
    payload: {
      recording_id: o.recordingId,
      channels: o.channels ?? 'dual',
      recording_started_at: o.startedAt,
      recording_ended_at: o.endedAt,
      recording_urls: { mp3: `https://storage.example.com/${o.recordingId}.mp3?signature=abc`, wav: null },
      ...o.payload,
    },
  });

export const transcription = (o: WebhookOptions & { transcript: string; isFinal: boolean; track?: 'inbound' | 'outbound' }): TelnyxWebhookData =>
  telnyxWebhook('call.transcription', {
    ...o,
    payload: { transcription_data: { transcript: o.transcript, confidence: 0.93, is_final: o.isFinal, transcription_track: o.track ?? 'inbound' }, ...o.payload },
  });

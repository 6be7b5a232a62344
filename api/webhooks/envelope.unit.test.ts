import { legIds, webhookBody } from '../../test/support/telnyxSigning';
import { callEventPayloadSchemas, isCallEventType, parseWebhook, type CallEventType, type WebhookParseResult } from './envelope';

const session = '428c31b6-7af4-4bcb-b7f5-5013ef9657c1';
const ids = legIds(session);

const validPayloads: Record<CallEventType, Record<string, unknown>> = {
  'call.initiated': { ...ids, from: '+15551230000', to: '+15559870000', direction: 'incoming', state: 'parked', client_state: null },
  'call.answered': { ...ids, from: '+15551230000', to: '+15559870000' },
  'call.hangup': { ...ids, hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: 'unspecified' },
  'call.bridged': { ...ids },
  'call.dtmf.received': { ...ids, digit: '1' },
  'call.gather.ended': { ...ids, digits: '12', status: 'valid' },
  'call.speak.started': { ...ids },
  'call.speak.ended': { ...ids, status: 'completed' },
  'call.playback.started': { ...ids, media_url: 'http://x/hold.mp3' },
  'call.playback.ended': { ...ids, status: 'completed' },
  'call.enqueued': { ...ids, queue: 'support', current_position: 2, queue_avg_wait_time_secs: 30 },
  'call.dequeued': { ...ids, queue: 'support', queue_position: 1, reason: 'bridged', wait_time_secs: 12 },
  'call.recording.saved': {
    call_leg_id: ids.call_leg_id,
    call_session_id: session,
    channels: 'dual',
    recording_urls: { mp3: 'http://x/r.mp3', wav: null },
    public_recording_urls: {},
  },
  'call.recording.error': { ...ids, reason: 'internal_error' },
  'call.transcription': { ...ids, transcription_data: { transcript: 'hello', is_final: true, confidence: 0.9 } },
  'call.machine.detection.ended': { ...ids, result: 'human' },
  'call.machine.greeting.ended': { ...ids, result: 'beep_detected' },
  'call.machine.premium.detection.ended': { ...ids, result: 'machine' },
  'call.machine.premium.greeting.ended': { ...ids, result: 'beep_detected' },
};

const parse = (eventType: string, payload: Record<string, unknown>): WebhookParseResult =>
  parseWebhook(webhookBody({ id: `wh-${eventType}`, eventType, payload }));

const failureOf = (result: WebhookParseResult): string => (result.ok ? 'ok' : result.reason);

describe('webhook envelope', () => {
  it.each(Object.entries(validPayloads))('accepts a %s webhook and reads its ids', (eventType, payload) => {
    const result = parse(eventType, payload);
    if (!result.ok) throw new Error(result.message);
    expect(result).toMatchObject({ webhookId: `wh-${eventType}`, eventType, known: true, callSessionId: session, callLegId: ids.call_leg_id });
    expect(result.callControlId).toBe(eventType === 'call.recording.saved' ? null : ids.call_control_id);
  });

  it('has a payload schema for every event type it lists', () => {
    expect(Object.keys(validPayloads).sort()).toEqual(Object.keys(callEventPayloadSchemas).sort());
  });

  it('keeps fields it does not model', () => {
    const result = parse('call.answered', { ...ids, codec: 'PCMU', custom_headers: [{ name: 'X-A', value: '1' }] });
    if (!result.ok) throw new Error(result.message);
    expect(result.envelope.data.payload).toMatchObject({ codec: 'PCMU', custom_headers: [{ name: 'X-A', value: '1' }] });
  });

  it('accepts an unknown event type on its envelope alone', () => {
    const result = parse('call.cost', { total_cost: '0.01' });
    expect(result).toMatchObject({ ok: true, known: false, eventType: 'call.cost', callSessionId: null, callControlId: null });
  });

  it('requires what callstream relies on in known payloads', () => {
    const { call_session_id: _session, ...withoutSession } = validPayloads['call.answered'];
    const { call_control_id: _control, ...withoutControl } = validPayloads['call.answered'];
    expect(failureOf(parse('call.answered', withoutSession))).toBe('invalid_payload');
    expect(failureOf(parse('call.answered', withoutControl))).toBe('invalid_payload');
    expect(failureOf(parse('call.initiated', { ...validPayloads['call.initiated'], direction: 'sideways' }))).toBe('invalid_payload');
    expect(failureOf(parse('call.dtmf.received', { ...ids }))).toBe('invalid_payload');
    expect(failureOf(parse('call.enqueued', { ...ids, queue: 'support' }))).toBe('invalid_payload');
    expect(failureOf(parse('call.transcription', { ...ids, transcription_data: { transcript: 'x' } }))).toBe('invalid_payload');
    expect(failureOf(parse('call.recording.saved', { call_session_id: session }))).toBe('invalid_payload');
  });

  it('points payload issues at their place in the body', () => {
    const result = parse('call.hangup', { ...ids });
    expect(result).toMatchObject({ ok: false, reason: 'invalid_payload', webhookId: 'wh-call.hangup', issues: [{ path: ['data', 'payload', 'hangup_cause'] }] });
  });

  it('rejects bodies that are not a v2 envelope', () => {
    expect(failureOf(parseWebhook('{"data":'))).toBe('malformed_json');
    expect(failureOf(parseWebhook('[]'))).toBe('invalid_envelope');
    expect(failureOf(parseWebhook(JSON.stringify({ event_type: 'call_initiated', payload: {} })))).toBe('invalid_envelope');
    const envelope = JSON.parse(webhookBody({ id: 'x', eventType: 'call.bridged', payload: ids })) as { data: Record<string, unknown>; meta: Record<string, unknown> };
    const variant = (change: (copy: typeof envelope) => void): string => {
      const copy = structuredClone(envelope);
      change(copy);
      return failureOf(parseWebhook(JSON.stringify(copy)));
    };
    expect(variant(() => undefined)).toBe('ok');
    expect(variant((c) => delete c.data.id)).toBe('invalid_envelope');
    expect(variant((c) => (c.data.id = ''))).toBe('invalid_envelope');
    expect(variant((c) => (c.data.record_type = 'call'))).toBe('invalid_envelope');
    expect(variant((c) => (c.data.occurred_at = 'yesterday'))).toBe('invalid_envelope');
    expect(variant((c) => (c.data.event_type = 'call answered'))).toBe('invalid_envelope');
    expect(variant((c) => (c.data.payload = 'x'))).toBe('invalid_envelope');
    expect(variant((c) => (c.meta.attempt = 0))).toBe('invalid_envelope');
    expect(variant((c) => delete (c as { meta?: unknown }).meta)).toBe('ok');
  });

  it('knows its event types', () => {
    expect(isCallEventType('call.answered')).toBe(true);
    expect(isCallEventType('call.cost')).toBe(false);
    expect(isCallEventType('toString')).toBe(false);
  });
});

import { randomUUID } from 'node:crypto';
import { legIds, webhookBody } from '../support/telnyxSigning';

export interface ScriptedWebhook {
  id: string;
  eventType: string;
  callSessionId: string;
  /** Builds the body of one delivery attempt (Telnyx re-sends the same data with a new meta). */
  body: (attempt?: number) => string;
}

const steps: Array<[string, Record<string, unknown>]> = [
  ['call.initiated', { from: '+15551230000', to: '+15559870000', direction: 'incoming', state: 'parked' }],
  ['call.answered', {}],
  ['call.speak.started', {}],
  ['call.speak.ended', { status: 'completed' }],
  ['call.dtmf.received', { digit: '2' }],
  ['call.gather.ended', { digits: '2', status: 'valid' }],
  ['call.enqueued', { queue: 'support', current_position: 1 }],
  ['call.dequeued', { queue: 'support', reason: 'bridged' }],
  ['call.bridged', {}],
  ['call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' }],
];

/** The webhooks of one inbound call, in the order Telnyx would have sent them. */
export const callWebhooks = (callSessionId: string = randomUUID(), count = steps.length): ScriptedWebhook[] =>
  steps.slice(0, count).map(([eventType, extra], index) => {
    const id = randomUUID();
    const occurredAt = new Date(Date.UTC(2026, 0, 1, 12, 0, index)).toISOString();
    return {
      id,
      eventType,
      callSessionId,
      body: (attempt = 1) => webhookBody({ id, eventType, occurredAt, attempt, payload: { ...legIds(callSessionId), ...extra } }),
    };
  });

import type { ContactCenterConfig } from '../config/config';
import { fold, type CommandMetadata } from '../core/decider';
import type { CallCommand } from './callCommands';
import { callDecider } from './callDecider';
import type { CallEvent, TelnyxCommandRequested } from './callEvents';
import type { CallState } from './callState';
import type { TelnyxWebhookData } from './webhook';

/**
 * Drives one call's stream the way production does — the intake appends each webhook of the call's own
 * session once, the reactor decides on it and appends the decision — for step-by-step tests of the flow.
 */
export interface CallScenario {
  readonly callId: string;
  readonly history: CallEvent[];
  state(): CallState;
  /** Delivers a webhook; returns what the decider appended for it. */
  webhook(webhook: TelnyxWebhookData, originatingAgentId?: string | null): CallEvent[];
  command(command: CallCommand): CallEvent[];
  meta(now: string, commandId: string, actor?: string): CommandMetadata;
}

export const callScenario = (config: ContactCenterConfig, callId: string): CallScenario => {
  const history: CallEvent[] = [];
  const decider = callDecider(config, callId);
  const state = () => fold(decider, history);
  const intakeSeen = new Set<string>();
  return {
    callId,
    history,
    state,
    webhook(webhook, originatingAgentId) {
      if (webhook.callSessionId === callId && !intakeSeen.has(webhook.webhookId)) {
        intakeSeen.add(webhook.webhookId);
        history.push({ type: 'TelnyxWebhookReceived', data: webhook });
      }
      const events = decider.decide(
        { type: 'HandleWebhook', data: { webhook, originatingAgentId: originatingAgentId ?? null }, metadata: { now: webhook.occurredAt, commandId: `handle-${webhook.webhookId}`, actor: 'reactor' } },
        state(),
      );
      history.push(...events);
      return events;
    },
    command(command) {
      const events = decider.decide(command, state());
      history.push(...events);
      return events;
    },
    meta: (now, commandId, actor = 'reactor') => ({ now, commandId, actor }),
  };
};

export const telnyxRequests = (events: readonly CallEvent[]): Array<TelnyxCommandRequested['data']> =>
  events.filter((e): e is TelnyxCommandRequested => e.type === 'TelnyxCommandRequested').map((e) => e.data);

/** `action@callControlId` (or `dial>to`) of each requested command, in order: compact to assert on. */
export const requestedActions = (events: readonly CallEvent[]): string[] =>
  telnyxRequests(events).map((r) => (r.action === 'dial' ? `dial>${r.params.to}` : `${r.action}@${r.callControlId ?? ''}`));

export const domainTypes = (events: readonly CallEvent[]): string[] => events.filter((e) => e.type !== 'TelnyxCommandRequested').map((e) => e.type);

export const eventOf = <T extends CallEvent['type']>(events: readonly CallEvent[], type: T): Extract<CallEvent, { type: T }> => {
  const found = events.find((e) => e.type === type);
  if (!found) throw new Error(`No ${type} among ${events.map((e) => e.type).join(', ')}`);
  return found as Extract<CallEvent, { type: T }>;
};

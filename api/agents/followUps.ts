import type { CallEvent, OfferCancelled } from '../calls/callEvents';
import type { ContactCenterConfig } from '../config/config';
import { deterministicId, type CommandMetadata } from '../core/decider';
import { agentStreamId, type ReleaseReason } from './agent';
import type { AgentCommand } from './agentDecider';

/** Defaults when an agent has no profile (removed from the configuration while on a call). */
const DEFAULT_MAX_NO_ANSWER = 3;
const DEFAULT_WRAP_UP_SECONDS = 0;

const releaseReason = (reason: OfferCancelled['data']['reason']): ReleaseReason => reason;

export interface AgentFollowUp {
  streamId: string;
  command: AgentCommand;
}

/**
 * The agent-stream commands a recorded call event implies. The reactor handles each on `agent-<id>` with the
 * agent decider; command ids derive from the call event's id, so a redelivered event changes nothing twice.
 */
export const agentFollowUps = (event: CallEvent, recordedEventId: string, config: ContactCenterConfig): AgentFollowUp[] => {
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') return [];
  const meta = (agentId: string): CommandMetadata => ({
    now: event.data.occurredAt,
    commandId: deterministicId('agent-follow-up', recordedEventId, agentId),
    actor: 'reactor',
    correlationId: event.data.callId,
    causationId: recordedEventId,
  });
  const one = (command: AgentCommand): AgentFollowUp[] => [{ streamId: agentStreamId(command.data.agentId), command }];
  const callId = event.data.callId;
  switch (event.type) {
    case 'CallOffered':
      return event.data.agents.flatMap(({ agentId }) => one({ type: 'MarkRinging', data: { agentId, offerId: event.data.offerId }, metadata: meta(agentId) }));
    case 'CallOfferFailed':
      return event.data.agentIds.flatMap((agentId) => one({ type: 'ReleaseReservation', data: { agentId, offerId: event.data.offerId, reason: 'offer-failed' }, metadata: meta(agentId) }));
    case 'OfferAccepted':
      return one({ type: 'StartCall', data: { agentId: event.data.agentId, callId, offerId: event.data.offerId, direction: 'inbound' }, metadata: meta(event.data.agentId) });
    case 'OfferRejected':
      return one({ type: 'RecordOfferRejected', data: { agentId: event.data.agentId, offerId: event.data.offerId, callId, reason: event.data.reason }, metadata: meta(event.data.agentId) });
    case 'OfferMissed': {
      const maxNoAnswer = config.agents[event.data.agentId]?.maxNoAnswer ?? DEFAULT_MAX_NO_ANSWER;
      return one({ type: 'RecordOfferMissed', data: { agentId: event.data.agentId, offerId: event.data.offerId, callId, reason: event.data.reason, maxNoAnswer }, metadata: meta(event.data.agentId) });
    }
    case 'OfferCancelled':
      return one({ type: 'ReleaseReservation', data: { agentId: event.data.agentId, offerId: event.data.offerId, reason: releaseReason(event.data.reason) }, metadata: meta(event.data.agentId) });
    case 'OutboundCallStarted':
      return one({ type: 'StartCall', data: { agentId: event.data.agentId, callId, offerId: null, direction: 'outbound' }, metadata: meta(event.data.agentId) });
    case 'AgentDisconnected': {
      const wrapUpSeconds = config.agents[event.data.agentId]?.wrapUpSeconds ?? DEFAULT_WRAP_UP_SECONDS;
      return one({ type: 'EndCall', data: { agentId: event.data.agentId, callId, reason: event.data.reason, wrapUpSeconds }, metadata: meta(event.data.agentId) });
    }
    case 'CallDispositionRecorded':
      return one({ type: 'CompleteAgentWrapUp', data: { agentId: event.data.agentId, callId }, metadata: meta(event.data.agentId) });
    default:
      return [];
  }
};

import type { CallEvent, TransferTarget } from '../../api/calls/callEvents';
import type { TelnyxWebhookData } from '../../api/calls/webhook';

const targetText = (target: TransferTarget): string => {
  switch (target.kind) {
    case 'agent':
      return `agent ${target.agentId}`;
    case 'queue':
      return `queue ${target.queueId}`;
    case 'number':
      return target.number;
    default: {
      const _exhaustive: never = target;
      return 'unknown target';
    }
  }
};

const webhookSummary = (w: TelnyxWebhookData, role: string | null): string => {
  const p = w.payload;
  const leg = role ? `${role} leg` : 'leg';
  switch (w.eventType) {
    case 'call.initiated':
      return `${leg} initiated (${p.direction ?? 'unknown direction'}) from ${p.from ?? '?'} to ${p.to ?? '?'}`;
    case 'call.hangup':
      return `${leg} hung up: ${p.hangup_cause ?? 'unknown cause'} (${p.hangup_source ?? 'unknown source'})`;
    case 'call.gather.ended':
      return `gather ended: ${p.status ?? '?'}${p.digits ? `, digits ${p.digits}` : ''}`;
    case 'call.dtmf.received':
      return `DTMF ${p.digit ?? '?'} on the ${leg}`;
    case 'call.recording.saved':
      return `recording ${p.recording_id ?? ''} saved`;
    case 'call.transcription':
      return `transcription${p.transcription_data?.is_final ? '' : ' (interim)'}: ${p.transcription_data?.transcript ?? ''}`.slice(0, 200);
    case 'call.enqueued':
      return `enqueued at Telnyx in ${p.queue ?? '?'}`;
    default:
      return `${w.eventType} on the ${leg}`;
  }
};

/** One line saying what a call event means, for the call's timeline. */
export const timelineSummary = (event: CallEvent, webhookRole: string | null = null): string => {
  switch (event.type) {
    case 'TelnyxWebhookReceived':
    case 'TelnyxWebhookLinked':
      return webhookSummary(event.data, webhookRole);
    case 'InboundCallStarted':
      return `inbound call from ${event.data.from} to ${event.data.to}${event.data.entryMenuId ? `, IVR ${event.data.entryMenuId}` : ', no IVR for the number'}`;
    case 'OutboundCallStarted':
      return `outbound call by ${event.data.agentId} to ${event.data.destination} (queue ${event.data.queueId})`;
    case 'OutboundCallRefused':
      return `outbound call to ${event.data.destination} refused: ${event.data.reason}`;
    case 'CallerIdentified':
      return event.data.contact ? `caller identified: ${event.data.contact.name} (${event.data.previousCalls.length} previous calls)` : `caller not in the CRM (${event.data.previousCalls.length} previous calls)`;
    case 'CallRoutedAfterHours':
      return `after hours: ${event.data.reason}${event.data.voicemail ? ', voicemail offered' : ''}`;
    case 'CallAnswered':
      return 'call answered';
    case 'TelnyxCommandRequested':
      return `${event.data.action} requested: ${event.data.reason}`;
    case 'TelnyxCommandAccepted':
      return `${event.data.action} accepted by Telnyx`;
    case 'TelnyxCommandFailed':
      return `${event.data.action} failed: ${event.data.error.title}${event.data.legGone ? ' (leg gone)' : ''}`;
    case 'IvrMenuPresented':
      return `IVR menu ${event.data.menuId} (${event.data.language}), attempt ${event.data.attempt}`;
    case 'IvrInputRejected':
      return `IVR input ${event.data.kind}${event.data.digits ? ` (${event.data.digits})` : ''} in ${event.data.menuId}`;
    case 'IvrOptionSelected':
      return `IVR ${event.data.menuId}: ${event.data.label}${event.data.byDefault ? ` by default (${event.data.defaultReason ?? ''})` : ` (${event.data.digits ?? ''})`}`;
    case 'CallQueued':
      return `queued in ${event.data.queueId} (${event.data.reason}${event.data.kind === 'callback' ? ', callback' : ''}, priority ${event.data.priority})`;
    case 'CallLeftQueue':
      return `left ${event.data.queueId}: ${event.data.reason} after ${event.data.waitedSeconds}s`;
    case 'CallbackRequested':
      return `callback requested to ${event.data.number} (${event.data.via})`;
    case 'QueuePositionAnnounced':
      return `position ${event.data.position} announced, about ${event.data.ewtSeconds}s`;
    case 'RoutingDecisionMade':
      return event.data.chosen.length > 0
        ? `routing chose ${event.data.chosen.join(', ')} (${event.data.strategy})`
        : `routing chose nobody: ${event.data.waitingReason ?? 'no reason given'}`;
    case 'CallOffered':
      return `offered to ${event.data.agents.map((a) => a.agentId).join(', ')} (${event.data.purpose}, ${event.data.strategy})`;
    case 'CallOfferFailed':
      return `offer failed: ${event.data.reason}`;
    case 'OfferAccepted':
      return `${event.data.agentId} accepted the ${event.data.purpose} offer`;
    case 'OfferRejected':
      return `${event.data.agentId} rejected the offer: ${event.data.reason}`;
    case 'OfferMissed':
      return `${event.data.agentId} missed the offer: ${event.data.reason}`;
    case 'OfferCancelled':
      return `offer to ${event.data.agentId} cancelled: ${event.data.reason}`;
    case 'CallReturnedToQueue':
      return `back in ${event.data.queueId}: ${event.data.reason}`;
    case 'AgentConnected':
      return `${event.data.agentId} connected (${event.data.via}${event.data.waitedSeconds !== null ? ` after ${event.data.waitedSeconds}s` : ''})`;
    case 'AgentDisconnected':
      return `${event.data.agentId} disconnected: ${event.data.reason}`;
    case 'CallHeld':
      return `held by ${event.data.agentId}`;
    case 'CallUnheld':
      return `taken off hold by ${event.data.agentId}`;
    case 'CallTransferRequested':
      return `${event.data.kind} transfer to ${targetText(event.data.target)} by ${event.data.fromAgentId}`;
    case 'ConsultationConnected':
      return `consultation with ${targetText(event.data.target)} connected`;
    case 'WarmTransferCompleted':
      return `transfer to ${targetText(event.data.target)} completed`;
    case 'WarmTransferCancelled':
      return `transfer to ${targetText(event.data.target)} cancelled: ${event.data.reason}`;
    case 'CallTransferredOut':
      return `transferred out to ${event.data.number}`;
    case 'RecordingStarted':
      return `recording started (${event.data.reason})`;
    case 'RecordingPaused':
      return `recording paused by ${event.data.actor}`;
    case 'RecordingResumed':
      return `recording resumed by ${event.data.actor}`;
    case 'RecordingStopped':
      return `recording stopped by ${event.data.actor}`;
    case 'RecordingDownloadRequested':
      return `${event.data.kind} recording ${event.data.recordingId} to download${event.data.durationSeconds !== null ? ` (${event.data.durationSeconds}s)` : ''}`;
    case 'RecordingStored':
      return `recording ${event.data.recordingId} stored (${event.data.sizeBytes} bytes)`;
    case 'RecordingDownloadFailed':
      return `recording ${event.data.recordingId} download failed: ${event.data.error}`;
    case 'TranscriptionStarted':
      return `transcription started (${event.data.language})`;
    case 'TranscriptionStopped':
      return 'transcription stopped';
    case 'TranscriptReceived':
      return `${event.data.track ?? 'transcript'}: ${event.data.text}`.slice(0, 200);
    case 'AnnouncementMade':
      return `announcement to ${event.data.target} by ${event.data.actor}`;
    case 'DtmfSent':
      return `DTMF ${event.data.digits} sent by ${event.data.actor}`;
    case 'SupervisionStarted':
      return `${event.data.supervisorId} ${event.data.mode}s ${event.data.agentId}`;
    case 'SupervisorJoined':
      return `${event.data.supervisorId} joined`;
    case 'SupervisorRoleSwitched':
      return `${event.data.supervisorId} switched from ${event.data.from} to ${event.data.to}`;
    case 'SupervisionEnded':
      return `${event.data.supervisorId} left: ${event.data.reason}`;
    case 'VoicemailStarted':
      return `voicemail (${event.data.reason})`;
    case 'VoicemailRecorded':
      return `voicemail ${event.data.recordingId} recorded${event.data.durationSeconds !== null ? ` (${event.data.durationSeconds}s)` : ''}`;
    case 'CallbackAttemptFailed':
      return `callback to ${event.data.number} by ${event.data.agentId} failed: ${event.data.reason}`;
    case 'HangupRequested':
      return `hang-up requested by ${event.data.actor}: ${event.data.reason}`;
    case 'CallClosing':
      return `closing (${event.data.outcome}): ${event.data.reason}`;
    case 'CallEnded':
      return `call ended: ${event.data.outcome} after ${event.data.durationSeconds}s`;
    case 'CallDispositionRecorded':
      return `${event.data.agentId} recorded disposition ${event.data.disposition}`;
    case 'CallBackStarted':
      return `${event.data.agentId} is calling ${event.data.number} back`;
    default: {
      const _exhaustive: never = event;
      return 'unknown event';
    }
  }
};

import type { CallAttributes, IvrAction } from '../config/config';
import type { CrmContact, PreviousCall } from '../crm/crmPort';
import type { RoutingDecision, RoutingMethod } from '../routing/routingDecision';
import type { SupervisorRole, TelnyxAction, TelnyxCommand } from './telnyxCommands';
import type { TelnyxWebhookLinked, TelnyxWebhookReceived } from './webhook';

/**
 * Every domain event of a call stream carries the call id, when it happened (the webhook's occurred_at or the
 * command's clock) and `causeId`: the webhook id or command id it answers. A cause is handled once, so a
 * duplicate webhook or a retried command decides nothing.
 */
export interface CallEventBase {
  callId: string;
  occurredAt: string;
  causeId: string;
}

type E<Type extends string, Data> = { type: Type; data: CallEventBase & Data };

export type CallOutcome =
  | 'completed'
  | 'abandoned'
  | 'abandoned-in-ivr'
  | 'voicemail'
  | 'after-hours'
  | 'max-wait'
  | 'transferred'
  | 'callback-failed'
  | 'outbound-completed'
  | 'outbound-failed'
  | 'outbound-refused'
  | 'ended-in-ivr'
  | 'rejected';

export type OfferPurpose = 'queue' | 'callback' | 'consult';

export type TransferTarget = { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };

export interface QueueDeadlines {
  /** Overflow moves, in time order, computed from the home queue when the call entered it. */
  overflow: Array<{ at: string; targetQueueId: string }>;
  maxWaitAt: string;
  onMaxWait: 'voicemail' | 'hangup';
}

export type LeftQueueReason = 'answered' | 'abandoned' | 'overflow' | 'voicemail' | 'max-wait' | 'transfer' | 'callback-failed' | 'hung-up';

//////////////////////////////////////////// Call start

export type InboundCallStarted = E<
  'InboundCallStarted',
  { callControlId: string; callLegId: string | null; from: string; to: string; callerName: string | null; entryMenuId: string | null; hoursId: string | null }
>;
export type OutboundCallStarted = E<
  'OutboundCallStarted',
  {
    agentId: string;
    agentCallControlId: string;
    destination: string;
    callerIdNumber: string;
    queueId: string;
    record: boolean;
    /** The earlier call (a voicemail, a missed caller) this call calls back, when the agent started it from that call. */
    callBackOf?: string | null;
  }
>;
export type OutboundCallRefused = E<'OutboundCallRefused', { agentId: string | null; agentCallControlId: string; destination: string; reason: string }>;
export type CallerIdentified = E<'CallerIdentified', { number: string; contact: CrmContact | null; previousCalls: PreviousCall[] }>;
export type CallRoutedAfterHours = E<'CallRoutedAfterHours', { hoursId: string; reason: string; voicemail: boolean }>;
export type CallAnswered = E<'CallAnswered', { callControlId: string }>;

//////////////////////////////////////////// Telnyx commands

export type TelnyxCommandRequested = {
  type: 'TelnyxCommandRequested';
  data: CallEventBase & { commandId: string; callControlId: string | null; reason: string } & TelnyxCommand;
};
export type TelnyxCommandAccepted = E<
  'TelnyxCommandAccepted',
  { commandId: string; action: TelnyxAction; result: { callControlId?: string; callLegId?: string; callSessionId?: string; recordingId?: string } }
>;
export type TelnyxCommandFailed = E<
  'TelnyxCommandFailed',
  { commandId: string; action: TelnyxAction; error: { status: number | null; code: string | null; title: string }; legGone: boolean }
>;

//////////////////////////////////////////// IVR

export type IvrMenuPresented = E<'IvrMenuPresented', { menuId: string; language: string; attempt: number; reason: 'entry' | 'submenu' | 'invalid' | 'timeout'; commandId: string }>;
export type IvrInputRejected = E<'IvrInputRejected', { menuId: string; digits: string | null; kind: 'invalid' | 'timeout'; attempt: number; maxRetries: number }>;
export type IvrOptionSelected = E<
  'IvrOptionSelected',
  { menuId: string; digits: string | null; label: string; action: IvrAction; attributes: CallAttributes; byDefault: boolean; defaultReason: 'invalid' | 'timeout' | null }
>;

//////////////////////////////////////////// Queue

export type CallQueued = E<
  'CallQueued',
  {
    entryId: string;
    queueId: string;
    kind: 'call' | 'callback';
    priority: number;
    /** The original enqueue time: kept across overflow, re-queues, transfers and callbacks. Routing order uses it. */
    enqueuedAt: string;
    queueEnteredAt: string;
    attributes: CallAttributes;
    reason: 'ivr' | 'ivr-default' | 'transfer' | 'overflow' | 'callback';
    fromQueueId: string | null;
    targetAgentId: string | null;
    callbackNumber: string | null;
    deadlines: QueueDeadlines;
    nextAnnouncementAt: string | null;
  }
>;
export type CallLeftQueue = E<
  'CallLeftQueue',
  { entryId: string; queueId: string; reason: LeftQueueReason; enqueuedAt: string; waitedSeconds: number; queueWaitedSeconds: number; agentId: string | null }
>;
export type CallbackRequested = E<'CallbackRequested', { entryId: string; queueId: string; number: string; enqueuedAt: string; via: 'ivr' | 'queue-digit' | 'api' }>;
export type QueuePositionAnnounced = E<'QueuePositionAnnounced', { queueId: string; position: number; ewtSeconds: number; nextAnnouncementAt: string | null }>;

//////////////////////////////////////////// Routing and offers

export type RoutingDecisionMade = { type: 'RoutingDecisionMade'; data: CallEventBase & RoutingDecision };
export type CallOffered = E<
  'CallOffered',
  {
    offerId: string;
    entryId: string | null;
    queueId: string | null;
    purpose: OfferPurpose;
    strategy: RoutingMethod;
    agents: Array<{ agentId: string; sipUsername: string }>;
    ringTimeoutSeconds: number;
    expiresAt: string;
    decisionId: string | null;
    transferId: string | null;
  }
>;
export type CallOfferFailed = E<'CallOfferFailed', { offerId: string; agentIds: string[]; reason: string }>;
export type OfferAccepted = E<'OfferAccepted', { offerId: string; agentId: string; callControlId: string; purpose: OfferPurpose }>;
export type OfferRejected = E<'OfferRejected', { offerId: string; agentId: string; reason: string }>;
export type OfferMissed = E<'OfferMissed', { offerId: string; agentId: string; reason: 'no-answer' | 'dial-failed' | 'unreachable' }>;
export type OfferCancelled = E<'OfferCancelled', { offerId: string; agentId: string; reason: 'answered-elsewhere' | 'caller-hung-up' | 'call-left-queue' | 'transfer-cancelled' }>;
export type CallReturnedToQueue = E<'CallReturnedToQueue', { offerId: string; entryId: string; queueId: string; reason: string; excludedAgents: Array<{ agentId: string; until: string }> }>;

//////////////////////////////////////////// Connection

export type AgentConnected = E<
  'AgentConnected',
  {
    agentId: string;
    callControlId: string;
    via: 'queue' | 'transfer' | 'callback' | 'outbound';
    queueId: string | null;
    offerId: string | null;
    enqueuedAt: string | null;
    waitedSeconds: number | null;
  }
>;
export type AgentDisconnected = E<
  'AgentDisconnected',
  {
    agentId: string;
    callControlId: string | null;
    reason: 'agent-hung-up' | 'customer-hung-up' | 'transferred' | 'consult-ended' | 'callback-failed' | 'outbound-failed' | 'call-ended';
  }
>;
export type CallHeld = E<'CallHeld', { agentId: string; actor: string }>;
export type CallUnheld = E<'CallUnheld', { agentId: string; actor: string }>;

//////////////////////////////////////////// Transfers

export type CallTransferRequested = E<'CallTransferRequested', { transferId: string; kind: 'blind' | 'warm'; target: TransferTarget; fromAgentId: string }>;
export type ConsultationConnected = E<'ConsultationConnected', { transferId: string; target: TransferTarget; callControlId: string }>;
export type WarmTransferCompleted = E<'WarmTransferCompleted', { transferId: string; target: TransferTarget; fromAgentId: string }>;
export type WarmTransferCancelled = E<'WarmTransferCancelled', { transferId: string; target: TransferTarget; reason: string }>;
export type CallTransferredOut = E<'CallTransferredOut', { transferId: string; number: string; fromAgentId: string }>;

//////////////////////////////////////////// Recording, transcription, media

export type RecordingStarted = E<'RecordingStarted', { callControlId: string; format: 'mp3' | 'wav'; channels: 'single' | 'dual'; reason: string }>;
export type RecordingPaused = E<'RecordingPaused', { callControlId: string; actor: string }>;
export type RecordingResumed = E<'RecordingResumed', { callControlId: string; actor: string }>;
export type RecordingStopped = E<'RecordingStopped', { callControlId: string; actor: string }>;
export type RecordingDownloadRequested = E<
  'RecordingDownloadRequested',
  {
    recordingId: string;
    kind: 'call' | 'voicemail';
    callLegId: string | null;
    channels: string | null;
    urls: { mp3: string | null; wav: string | null };
    startedAt: string | null;
    endedAt: string | null;
    durationSeconds: number | null;
  }
>;
export type RecordingStored = E<'RecordingStored', { recordingId: string; kind: 'call' | 'voicemail'; location: string; contentType: string; sizeBytes: number }>;
export type RecordingDownloadFailed = E<'RecordingDownloadFailed', { recordingId: string; error: string }>;
export type TranscriptionStarted = E<'TranscriptionStarted', { callControlId: string; language: string; actor: string }>;
export type TranscriptionStopped = E<'TranscriptionStopped', { callControlId: string; actor: string }>;
export type TranscriptReceived = E<'TranscriptReceived', { callControlId: string; track: 'inbound' | 'outbound' | null; text: string; confidence: number | null }>;
export type AnnouncementMade = E<'AnnouncementMade', { text: string; language: string; target: 'customer' | 'agent' | 'both'; actor: string }>;
export type DtmfSent = E<'DtmfSent', { digits: string; actor: string }>;

//////////////////////////////////////////// Supervision

export type SupervisionStarted = E<'SupervisionStarted', { supervisorId: string; mode: SupervisorRole; sipUsername: string; agentId: string }>;
export type SupervisorJoined = E<'SupervisorJoined', { supervisorId: string; callControlId: string }>;
export type SupervisorRoleSwitched = E<'SupervisorRoleSwitched', { supervisorId: string; from: SupervisorRole; to: SupervisorRole }>;
export type SupervisionEnded = E<'SupervisionEnded', { supervisorId: string; reason: string }>;

//////////////////////////////////////////// Voicemail, callbacks, end

export type VoicemailStarted = E<'VoicemailStarted', { reason: 'caller-choice' | 'max-wait' | 'after-hours' | 'requested'; queueId: string | null }>;
export type VoicemailRecorded = E<'VoicemailRecorded', { recordingId: string; queueId: string | null; from: string; durationSeconds: number | null }>;
export type CallbackAttemptFailed = E<'CallbackAttemptFailed', { entryId: string; agentId: string; number: string; reason: string }>;
export type HangupRequested = E<'HangupRequested', { actor: string; reason: string }>;
/** The flow decided to end the call (after a closing message when `hangupAfterSpeak`); CallEnded follows the customer's hangup. */
export type CallClosing = E<'CallClosing', { outcome: CallOutcome; reason: string; hangupAfterSpeak: boolean }>;
export type CallEnded = E<
  'CallEnded',
  { outcome: CallOutcome; hangupCause: string | null; hangupSource: string | null; startedAt: string; durationSeconds: number; queueId: string | null; agentId: string | null }
>;
export type CallDispositionRecorded = E<'CallDispositionRecorded', { agentId: string; disposition: string; notes: string }>;
/** An agent is calling this call's caller back (from the history or a voicemail); the outbound call that follows names this call in `callBackOf`. */
export type CallBackStarted = E<'CallBackStarted', { agentId: string; number: string }>;

export type CallDomainEvent =
  | InboundCallStarted
  | OutboundCallStarted
  | OutboundCallRefused
  | CallerIdentified
  | CallRoutedAfterHours
  | CallAnswered
  | TelnyxCommandRequested
  | TelnyxCommandAccepted
  | TelnyxCommandFailed
  | IvrMenuPresented
  | IvrInputRejected
  | IvrOptionSelected
  | CallQueued
  | CallLeftQueue
  | CallbackRequested
  | QueuePositionAnnounced
  | RoutingDecisionMade
  | CallOffered
  | CallOfferFailed
  | OfferAccepted
  | OfferRejected
  | OfferMissed
  | OfferCancelled
  | CallReturnedToQueue
  | AgentConnected
  | AgentDisconnected
  | CallHeld
  | CallUnheld
  | CallTransferRequested
  | ConsultationConnected
  | WarmTransferCompleted
  | WarmTransferCancelled
  | CallTransferredOut
  | RecordingStarted
  | RecordingPaused
  | RecordingResumed
  | RecordingStopped
  | RecordingDownloadRequested
  | RecordingStored
  | RecordingDownloadFailed
  | TranscriptionStarted
  | TranscriptionStopped
  | TranscriptReceived
  | AnnouncementMade
  | DtmfSent
  | SupervisionStarted
  | SupervisorJoined
  | SupervisorRoleSwitched
  | SupervisionEnded
  | VoicemailStarted
  | VoicemailRecorded
  | CallbackAttemptFailed
  | HangupRequested
  | CallClosing
  | CallEnded
  | CallDispositionRecorded
  | CallBackStarted;

export type CallEvent = CallDomainEvent | TelnyxWebhookReceived | TelnyxWebhookLinked;

export type CallEventType = CallEvent['type'];

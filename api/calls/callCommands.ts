import type { Command } from '../core/decider';
import type { CrmContact, PreviousCall } from '../crm/crmPort';
import type { RoutingDecision, RoutingMethod } from '../routing/routingDecision';
import type { TransferTarget } from './callEvents';
import type { SupervisorRole, TelnyxAction } from './telnyxCommands';
import type { TelnyxWebhookData } from './webhook';

//////////////////////////////////////////// From the reactor (webhooks, routing, timers, I/O outcomes)

/** Decide the next step after a webhook. `originatingAgentId`: for an outgoing parked leg callstream did not dial, the agent whose device placed it. */
export type HandleWebhook = Command<'HandleWebhook', { webhook: TelnyxWebhookData; originatingAgentId?: string | null; callBackOf?: string | null }>;
export type RecordCallerIdentity = Command<'RecordCallerIdentity', { number: string; contact: CrmContact | null; previousCalls: PreviousCall[] }>;
export type RecordRoutingDecision = Command<'RecordRoutingDecision', { decision: RoutingDecision }>;
/** Offer the call to agents already reserved on their own streams. */
export type OfferCall = Command<
  'OfferCall',
  {
    offerId: string;
    purpose: 'queue' | 'callback' | 'consult';
    strategy: RoutingMethod;
    agents: Array<{ agentId: string; sipUsername: string }>;
    decisionId?: string | null;
    transferId?: string | null;
  }
>;
export type ExpireOffer = Command<'ExpireOffer', { offerId: string }>;
export type AnnounceQueuePosition = Command<'AnnounceQueuePosition', { position: number; ewtSeconds: number }>;
/** Applies whatever queue deadline is due at `metadata.now` (overflow, max wait, announcement). */
export type CheckQueueTimers = Command<'CheckQueueTimers', { position?: number; ewtSeconds?: number }>;
export type RecordCommandOutcome = Command<
  'RecordCommandOutcome',
  {
    commandId: string;
    action: TelnyxAction;
    ok: boolean;
    result?: { callControlId?: string; callLegId?: string; callSessionId?: string; recordingId?: string };
    error?: { status: number | null; code: string | null; title: string };
  }
>;
export type RecordRecordingStored = Command<'RecordRecordingStored', { recordingId: string; location: string; contentType: string; sizeBytes: number }>;
export type RecordRecordingDownloadFailed = Command<'RecordRecordingDownloadFailed', { recordingId: string; error: string }>;

//////////////////////////////////////////// From agents and supervisors (API mutations)

export type RejectOffer = Command<'RejectOffer', { offerId: string; agentId: string }>;
export type Hold = Command<'Hold', { agentId: string }>;
export type Unhold = Command<'Unhold', { agentId: string }>;
export type BlindTransfer = Command<'BlindTransfer', { agentId: string; target: TransferTarget }>;
export type WarmTransfer = Command<'WarmTransfer', { agentId: string; target: Extract<TransferTarget, { kind: 'agent' | 'number' }> }>;
export type CompleteTransfer = Command<'CompleteTransfer', { agentId: string }>;
export type CancelTransfer = Command<'CancelTransfer', { agentId?: string; reason: string }>;
export type StartRecording = Command<'StartRecording', { agentId?: string }>;
export type PauseRecording = Command<'PauseRecording', { agentId?: string }>;
export type ResumeRecording = Command<'ResumeRecording', { agentId?: string }>;
export type StopRecording = Command<'StopRecording', { agentId?: string }>;
export type StartTranscription = Command<'StartTranscription', { language?: string }>;
export type StopTranscription = Command<'StopTranscription', Record<string, never>>;
export type Announce = Command<'Announce', { text: string; language?: string; target: 'customer' | 'agent' | 'both' }>;
export type SendDtmf = Command<'SendDtmf', { agentId: string; digits: string }>;
export type Hangup = Command<'Hangup', { reason: string }>;
export type Supervise = Command<'Supervise', { supervisorId: string; sipUsername: string; mode: SupervisorRole }>;
export type SwitchSupervisorRole = Command<'SwitchSupervisorRole', { supervisorId: string; mode: SupervisorRole }>;
export type EndSupervision = Command<'EndSupervision', { supervisorId: string }>;
export type RequestCallback = Command<'RequestCallback', Record<string, never>>;
export type LeaveVoicemail = Command<'LeaveVoicemail', Record<string, never>>;
export type CompleteWrapUp = Command<'CompleteWrapUp', { agentId: string; disposition: string; notes: string }>;
/** The agent calls the caller of this (ended) call back from the softphone. */
export type StartCallBack = Command<'StartCallBack', { agentId: string; number: string }>;

export type CallCommand =
  | HandleWebhook
  | RecordCallerIdentity
  | RecordRoutingDecision
  | OfferCall
  | ExpireOffer
  | AnnounceQueuePosition
  | CheckQueueTimers
  | RecordCommandOutcome
  | RecordRecordingStored
  | RecordRecordingDownloadFailed
  | RejectOffer
  | Hold
  | Unhold
  | BlindTransfer
  | WarmTransfer
  | CompleteTransfer
  | CancelTransfer
  | StartRecording
  | PauseRecording
  | ResumeRecording
  | StopRecording
  | StartTranscription
  | StopTranscription
  | Announce
  | SendDtmf
  | Hangup
  | Supervise
  | SwitchSupervisorRole
  | EndSupervision
  | RequestCallback
  | LeaveVoicemail
  | CompleteWrapUp
  | StartCallBack;

export type CallCommandType = CallCommand['type'];

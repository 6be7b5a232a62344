import type { Readable } from 'node:stream';
import type {
  ActionAnswerParams,
  ActionBridgeParams,
  ActionEnqueueParams,
  ActionGatherParams,
  ActionGatherUsingSpeakParams,
  ActionHangupParams,
  ActionLeaveQueueParams,
  ActionPauseRecordingParams,
  ActionRejectParams,
  ActionResumeRecordingParams,
  ActionSendDtmfParams,
  ActionSpeakParams,
  ActionStartPlaybackParams,
  ActionStartRecordingParams,
  ActionStartTranscriptionParams,
  ActionStopGatherParams,
  ActionStopPlaybackParams,
  ActionStopRecordingParams,
  ActionStopTranscriptionParams,
  ActionSwitchSupervisorRoleParams,
  ActionTransferParams,
  ActionUpdateClientStateParams,
} from 'telnyx/resources/calls/actions';
import type { CallDialParams } from 'telnyx/resources/calls/calls';
import type { QueueCall } from 'telnyx/resources/queues/calls';
import type { Queue } from 'telnyx/resources/queues/queues';
import type {
  TelephonyCredential,
  TelephonyCredentialCreateParams,
  TelephonyCredentialListParams,
  TelephonyCredentialUpdateParams,
} from 'telnyx/resources/telephony-credentials';

/**
 * The Telnyx port: the Call Control v2 operations callstream uses, in Telnyx's own wire shape
 * (snake_case, the request types of the `telnyx` SDK minus `command_id`).
 *
 * Every command takes the caller's deterministic `commandId` (derive it from the cause and the
 * action): Telnyx ignores a repeat on the same leg within 60 s, which makes retries (the SDK's and
 * ours) safe. Errors: `LegGoneError` (422/90018, the leg ended), `TelnyxNotFoundError` (404,
 * e.g. 90015 unknown call_control_id), `UnavailableError` (no answer, timeout, 5xx after the
 * SDK's retries), `TelnyxCommandError` (any other refusal).
 */
type Params<T> = Omit<T, 'command_id'>;

export type AnswerParams = Params<ActionAnswerParams>;
export type RejectParams = Params<ActionRejectParams>;
export type HangupParams = Params<ActionHangupParams>;
export type SpeakParams = Params<ActionSpeakParams>;
export type GatherUsingSpeakParams = Params<ActionGatherUsingSpeakParams>;
export type GatherParams = Params<ActionGatherParams>;
export type GatherStopParams = Params<ActionStopGatherParams>;
export type PlaybackStartParams = Params<ActionStartPlaybackParams>;
export type PlaybackStopParams = Params<ActionStopPlaybackParams>;
export type EnqueueParams = Params<ActionEnqueueParams>;
export type LeaveQueueParams = Params<ActionLeaveQueueParams>;
/** Bridge with another leg (`call_control_id`, Telnyx's wire name) or with the head of a queue (`queue`). */
export type BridgeParams = Omit<ActionBridgeParams, 'command_id' | 'call_control_id_to_bridge_with' | 'queue' | 'video_room_id' | 'video_room_context'> &
  ({ call_control_id: string; queue?: never } | { queue: string; call_control_id?: never });
export type TransferParams = Params<ActionTransferParams>;
export type RecordStartParams = Params<ActionStartRecordingParams>;
export type RecordStopParams = Params<ActionStopRecordingParams>;
export type RecordPauseParams = Params<ActionPauseRecordingParams>;
export type RecordResumeParams = Params<ActionResumeRecordingParams>;
export type TranscriptionStartParams = Params<ActionStartTranscriptionParams>;
export type TranscriptionStopParams = Params<ActionStopTranscriptionParams>;
export type SendDtmfParams = Params<ActionSendDtmfParams>;
export type SwitchSupervisorRoleParams = ActionSwitchSupervisorRoleParams;
export type UpdateClientStateParams = ActionUpdateClientStateParams;
/** `connection_id` defaults to the configured Call Control application. `to` may be an array (simultaneous ring). */
export type DialParams = Omit<CallDialParams, 'command_id' | 'connection_id'> & { connection_id?: string };
/** `connection_id` defaults to the configured Credential Connection. */
export type CreateCredentialParams = Omit<TelephonyCredentialCreateParams, 'connection_id'> & { connection_id?: string };
export type UpdateCredentialParams = TelephonyCredentialUpdateParams;
export type CredentialFilter = NonNullable<TelephonyCredentialListParams['filter']>;

export type { QueueCall, Queue, TelephonyCredential };

export interface CommandResult {
  result: string;
  /** record_start and answer/dial with `record` may return it. */
  recording_id?: string;
}

export interface DialResult {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  is_alive: boolean;
  client_state?: string;
}

export interface CallStatus {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  is_alive: boolean;
  call_duration?: number;
  client_state?: string;
  start_time?: string;
  end_time?: string;
}

export interface RecordingDownload {
  path: string;
  bytes: number;
  contentType: string | null;
}

export interface RecordingStream {
  stream: Readable;
  contentType: string | null;
  contentLength: number | null;
}

/** One call command, for code that decides commands as data and sends them later. */
export type CallCommand =
  | { action: 'answer'; params: AnswerParams }
  | { action: 'reject'; params: RejectParams }
  | { action: 'hangup'; params: HangupParams }
  | { action: 'speak'; params: SpeakParams }
  | { action: 'gather_using_speak'; params: GatherUsingSpeakParams }
  | { action: 'gather'; params: GatherParams }
  | { action: 'gather_stop'; params: GatherStopParams }
  | { action: 'playback_start'; params: PlaybackStartParams }
  | { action: 'playback_stop'; params: PlaybackStopParams }
  | { action: 'enqueue'; params: EnqueueParams }
  | { action: 'leave_queue'; params: LeaveQueueParams }
  | { action: 'bridge'; params: BridgeParams }
  | { action: 'transfer'; params: TransferParams }
  | { action: 'record_start'; params: RecordStartParams }
  | { action: 'record_stop'; params: RecordStopParams }
  | { action: 'record_pause'; params: RecordPauseParams }
  | { action: 'record_resume'; params: RecordResumeParams }
  | { action: 'transcription_start'; params: TranscriptionStartParams }
  | { action: 'transcription_stop'; params: TranscriptionStopParams }
  | { action: 'send_dtmf'; params: SendDtmfParams }
  | { action: 'switch_supervisor_role'; params: SwitchSupervisorRoleParams }
  | { action: 'client_state_update'; params: UpdateClientStateParams };

export interface TelnyxPort {
  answer(callControlId: string, params: AnswerParams, commandId: string): Promise<CommandResult>;
  reject(callControlId: string, params: RejectParams, commandId: string): Promise<CommandResult>;
  hangup(callControlId: string, params: HangupParams, commandId: string): Promise<CommandResult>;
  speak(callControlId: string, params: SpeakParams, commandId: string): Promise<CommandResult>;
  gatherUsingSpeak(callControlId: string, params: GatherUsingSpeakParams, commandId: string): Promise<CommandResult>;
  gather(callControlId: string, params: GatherParams, commandId: string): Promise<CommandResult>;
  gatherStop(callControlId: string, params: GatherStopParams, commandId: string): Promise<CommandResult>;
  playbackStart(callControlId: string, params: PlaybackStartParams, commandId: string): Promise<CommandResult>;
  playbackStop(callControlId: string, params: PlaybackStopParams, commandId: string): Promise<CommandResult>;
  enqueue(callControlId: string, params: EnqueueParams, commandId: string): Promise<CommandResult>;
  leaveQueue(callControlId: string, params: LeaveQueueParams, commandId: string): Promise<CommandResult>;
  bridge(callControlId: string, params: BridgeParams, commandId: string): Promise<CommandResult>;
  transfer(callControlId: string, params: TransferParams, commandId: string): Promise<CommandResult>;
  recordStart(callControlId: string, params: RecordStartParams, commandId: string): Promise<CommandResult>;
  recordStop(callControlId: string, params: RecordStopParams, commandId: string): Promise<CommandResult>;
  recordPause(callControlId: string, params: RecordPauseParams, commandId: string): Promise<CommandResult>;
  recordResume(callControlId: string, params: RecordResumeParams, commandId: string): Promise<CommandResult>;
  transcriptionStart(callControlId: string, params: TranscriptionStartParams, commandId: string): Promise<CommandResult>;
  transcriptionStop(callControlId: string, params: TranscriptionStopParams, commandId: string): Promise<CommandResult>;
  sendDtmf(callControlId: string, params: SendDtmfParams, commandId: string): Promise<CommandResult>;
  switchSupervisorRole(callControlId: string, params: SwitchSupervisorRoleParams, commandId: string): Promise<CommandResult>;
  updateClientState(callControlId: string, params: UpdateClientStateParams, commandId: string): Promise<CommandResult>;
  /** Any call command given as data. */
  command(callControlId: string, command: CallCommand, commandId: string): Promise<CommandResult>;

  /** POST /v2/calls. The answer arrives before the leg does anything (is_alive is false). */
  dial(params: DialParams, commandId: string): Promise<DialResult>;
  retrieveCall(callControlId: string): Promise<CallStatus>;

  retrieveQueue(queueName: string): Promise<Queue>;
  /** Every call waiting in the queue, head first (all pages). */
  listQueueCalls(queueName: string): Promise<QueueCall[]>;

  createCredential(params: CreateCredentialParams): Promise<TelephonyCredential>;
  /** All credentials matching the filter (all pages). */
  listCredentials(filter?: CredentialFilter): Promise<TelephonyCredential[]>;
  retrieveCredential(id: string): Promise<TelephonyCredential>;
  updateCredential(id: string, params: UpdateCredentialParams): Promise<TelephonyCredential>;
  deleteCredential(id: string): Promise<TelephonyCredential>;
  /** A WebRTC login JWT (`login_token`) for the credential. */
  createCredentialToken(id: string): Promise<string>;

  /** Downloads a recording URL (signed, short-lived: call at once) to a file, atomically. */
  downloadRecording(url: string, destinationPath: string): Promise<RecordingDownload>;
  /** Opens a recording URL as a stream. */
  openRecording(url: string): Promise<RecordingStream>;
}

/** client_state helpers: JSON → base64 on the way out, defensive parse on the way back. */
export function encodeClientState(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

export function decodeClientState(value: string | null | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

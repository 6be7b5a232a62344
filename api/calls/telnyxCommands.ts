import type { TranscriptionLanguage, TtsLanguage } from '../config/languages';
import { deterministicId } from '../core/decider';

/**
 * The Telnyx Call Control v2 commands the call flow requests, with their request bodies in Telnyx's own
 * (snake_case) wire shape — the same shape the `telnyx` SDK v7 takes — so the reactor can pass `params`
 * through. `dial` omits `connection_id` (the reactor adds the Call Control App id) and has no call_control_id.
 */

export type TargetLegs = 'self' | 'opposite' | 'both';
export type SupervisorRole = 'monitor' | 'whisper' | 'barge';
export interface CustomHeader {
  name: string;
  value: string;
}

export interface AnswerParams {
  client_state: string;
}
export interface RejectParams {
  cause: 'CALL_REJECTED' | 'USER_BUSY';
}
export type NoParams = Record<string, never>;
export interface SpeakParams {
  payload: string;
  voice: string;
  language: TtsLanguage;
  payload_type: 'text';
  target_legs?: TargetLegs;
}
export interface GatherUsingSpeakParams {
  payload: string;
  voice: string;
  language: TtsLanguage;
  payload_type: 'text';
  minimum_digits: number;
  maximum_digits: number;
  maximum_tries: number;
  timeout_millis: number;
  valid_digits: string;
  terminating_digit: string;
}
export interface GatherParams {
  minimum_digits: number;
  maximum_digits: number;
  timeout_millis: number;
  valid_digits: string;
}
export interface PlaybackStartParams {
  audio_url: string;
  loop: number | 'infinity';
  target_legs?: TargetLegs;
}
export interface PlaybackStopParams {
  stop: 'all' | 'current';
}
export interface EnqueueParams {
  queue_name: string;
}
export interface BridgeParams {
  call_control_id: string;
  park_after_unbridge?: 'self';
}
export interface TransferParams {
  to: string;
  from: string;
  timeout_secs: number;
  target_leg_client_state: string;
  custom_headers: CustomHeader[];
}
export interface RecordStartParams {
  format: 'mp3' | 'wav';
  channels: 'single' | 'dual';
  play_beep: boolean;
  max_length?: number;
  timeout_secs?: number;
}
export interface TranscriptionStartParams {
  transcription_engine: 'Telnyx';
  transcription_engine_config: { transcription_engine: 'Telnyx'; language: TranscriptionLanguage };
  transcription_tracks: 'inbound' | 'outbound' | 'both';
}
export interface SendDtmfParams {
  digits: string;
  duration_millis: number;
}
export interface SwitchSupervisorRoleParams {
  role: SupervisorRole;
}
export interface ClientStateUpdateParams {
  client_state: string;
}
export interface DialParams {
  to: string;
  from: string;
  from_display_name?: string;
  link_to?: string;
  bridge_intent?: boolean;
  bridge_on_answer?: boolean;
  park_after_unbridge?: 'self';
  prevent_double_bridge?: boolean;
  supervise_call_control_id?: string;
  supervisor_role?: SupervisorRole;
  timeout_secs: number;
  client_state: string;
  custom_headers: CustomHeader[];
  record?: 'record-from-answer';
  record_channels?: 'single' | 'dual';
  record_format?: 'mp3' | 'wav';
}

export type TelnyxCommand =
  | { action: 'answer'; params: AnswerParams }
  | { action: 'reject'; params: RejectParams }
  | { action: 'hangup'; params: NoParams }
  | { action: 'speak'; params: SpeakParams }
  | { action: 'gather_using_speak'; params: GatherUsingSpeakParams }
  | { action: 'gather'; params: GatherParams }
  | { action: 'gather_stop'; params: NoParams }
  | { action: 'playback_start'; params: PlaybackStartParams }
  | { action: 'playback_stop'; params: PlaybackStopParams }
  | { action: 'enqueue'; params: EnqueueParams }
  | { action: 'leave_queue'; params: NoParams }
  | { action: 'bridge'; params: BridgeParams }
  | { action: 'transfer'; params: TransferParams }
  | { action: 'record_start'; params: RecordStartParams }
  | { action: 'record_stop'; params: NoParams }
  | { action: 'record_pause'; params: NoParams }
  | { action: 'record_resume'; params: NoParams }
  | { action: 'transcription_start'; params: TranscriptionStartParams }
  | { action: 'transcription_stop'; params: NoParams }
  | { action: 'send_dtmf'; params: SendDtmfParams }
  | { action: 'switch_supervisor_role'; params: SwitchSupervisorRoleParams }
  | { action: 'client_state_update'; params: ClientStateUpdateParams }
  | { action: 'dial'; params: DialParams };

export type TelnyxAction = TelnyxCommand['action'];

/** Telnyx REST path of each action (`{id}` is the call_control_id); `dial` is `POST /v2/calls`. */
export const TELNYX_ACTION_PATHS: Record<TelnyxAction, string> = {
  answer: 'POST /v2/calls/{id}/actions/answer',
  reject: 'POST /v2/calls/{id}/actions/reject',
  hangup: 'POST /v2/calls/{id}/actions/hangup',
  speak: 'POST /v2/calls/{id}/actions/speak',
  gather_using_speak: 'POST /v2/calls/{id}/actions/gather_using_speak',
  gather: 'POST /v2/calls/{id}/actions/gather',
  gather_stop: 'POST /v2/calls/{id}/actions/gather_stop',
  playback_start: 'POST /v2/calls/{id}/actions/playback_start',
  playback_stop: 'POST /v2/calls/{id}/actions/playback_stop',
  enqueue: 'POST /v2/calls/{id}/actions/enqueue',
  leave_queue: 'POST /v2/calls/{id}/actions/leave_queue',
  bridge: 'POST /v2/calls/{id}/actions/bridge',
  transfer: 'POST /v2/calls/{id}/actions/transfer',
  record_start: 'POST /v2/calls/{id}/actions/record_start',
  record_stop: 'POST /v2/calls/{id}/actions/record_stop',
  record_pause: 'POST /v2/calls/{id}/actions/record_pause',
  record_resume: 'POST /v2/calls/{id}/actions/record_resume',
  transcription_start: 'POST /v2/calls/{id}/actions/transcription_start',
  transcription_stop: 'POST /v2/calls/{id}/actions/transcription_stop',
  send_dtmf: 'POST /v2/calls/{id}/actions/send_dtmf',
  switch_supervisor_role: 'POST /v2/calls/{id}/actions/switch_supervisor_role',
  client_state_update: 'PUT /v2/calls/{id}/actions/client_state_update',
  dial: 'POST /v2/calls',
};

/**
 * The Telnyx `command_id` of a requested command: a UUID derived from what caused it (a webhook id, or the
 * id of the command the reactor or the API handled), the action, and its target (the call_control_id, or
 * the dialled `to`). A duplicate webhook or a retried command therefore requests the same command_id, and
 * Telnyx drops the repeat (within 60 s); `occurrence` separates two identical requests in one decision.
 */
export const telnyxCommandId = (causeId: string, action: TelnyxAction, target: string, occurrence = 0): string =>
  deterministicId('telnyx', causeId, action, target, occurrence);

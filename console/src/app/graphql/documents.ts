import { gql, type TypedDocumentNode } from '@apollo/client';
import * as ops from './operations';
import type {
  ActionResult,
  Agent,
  AgentActionResult,
  AgentStatus,
  CallDetail,
  CallHistoryFilter,
  CallSummary,
  Desk,
  EventHistoryFilter,
  LiveCall,
  LoginPayload,
  Me,
  PageInfo,
  PendingCallback,
  Queue,
  RecordingUrl,
  ReportGranularity,
  ReportRow,
  ReportScope,
  RoutingDecision,
  SessionEvent,
  SessionTokens,
  SoftphoneRegistration,
  StoredEvent,
  SupervisorRole,
  TelephonyToken,
  TransferMode,
  Voicemail,
  Wallboard,
} from './types';

const doc = <TData, TVars extends Record<string, unknown> = Record<string, never>>(source: string): TypedDocumentNode<TData, TVars> => gql(source);

export const LOGIN = doc<{ login: LoginPayload }, { username: string; password: string; deviceId: string }>(ops.LOGIN);
export const REFRESH_SESSION = doc<{ refreshSession: SessionTokens }, { refreshToken: string }>(ops.REFRESH_SESSION);
export const LOGOUT = doc<{ logout: boolean }>(ops.LOGOUT);
export const ME = doc<{ me: Me }>(ops.ME);
export const SESSION_EVENTS = doc<{ sessionEvents: SessionEvent }>(ops.SESSION_EVENTS);
export const REFRESH_TELEPHONY_TOKEN = doc<{ refreshTelephonyToken: TelephonyToken }, { deviceId?: string | null }>(ops.REFRESH_TELEPHONY_TOKEN);
export const REPORT_SOFTPHONE_REGISTRATION = doc<{ reportSoftphoneRegistration: SoftphoneRegistration }, { deviceId?: string | null; registered: boolean }>(
  ops.REPORT_SOFTPHONE_REGISTRATION,
);

type CallId = { callId: string };

// ---- agent desk
export const MY_DESK = doc<{ myDesk: Desk }>(ops.MY_DESK);
export const MY_DESK_CHANGED = doc<{ myDeskChanged: Desk }>(ops.MY_DESK_CHANGED);
export const QUEUES = doc<{ queues: Queue[] }>(ops.QUEUES);
export const QUEUE_CHANGED = doc<{ queueChanged: Queue }, { queueId?: string | null }>(ops.QUEUE_CHANGED);
export const SET_MY_STATUS = doc<{ setMyStatus: AgentActionResult }, { status: AgentStatus; reason?: string | null }>(ops.SET_MY_STATUS);
export const PICK_CALL = doc<{ pickCall: ActionResult }, CallId>(ops.PICK_CALL);
export const DECLINE_OFFER = doc<{ declineOffer: ActionResult }, { offerId: string }>(ops.DECLINE_OFFER);
export const HOLD_CALL = doc<{ holdCall: ActionResult }, CallId>(ops.HOLD_CALL);
export const UNHOLD_CALL = doc<{ unholdCall: ActionResult }, CallId>(ops.UNHOLD_CALL);
export const HANGUP_CALL = doc<{ hangupCall: ActionResult }, CallId>(ops.HANGUP_CALL);
export const SEND_DTMF = doc<{ sendDtmf: ActionResult }, CallId & { digits: string }>(ops.SEND_DTMF);
export const SET_MUTED = doc<{ setMuted: ActionResult }, CallId & { muted: boolean }>(ops.SET_MUTED);
export const TRANSFER_CALL = doc<{ transferCall: ActionResult }, CallId & { mode: TransferMode; target: { agentId?: string; queueId?: string; number?: string } }>(
  ops.TRANSFER_CALL,
);
export const COMPLETE_TRANSFER = doc<{ completeTransfer: ActionResult }, CallId>(ops.COMPLETE_TRANSFER);
export const CANCEL_TRANSFER = doc<{ cancelTransfer: ActionResult }, CallId>(ops.CANCEL_TRANSFER);
export const PAUSE_RECORDING = doc<{ pauseRecording: ActionResult }, CallId>(ops.PAUSE_RECORDING);
export const RESUME_RECORDING = doc<{ resumeRecording: ActionResult }, CallId>(ops.RESUME_RECORDING);
export const START_TRANSCRIPTION = doc<{ startTranscription: ActionResult }, CallId>(ops.START_TRANSCRIPTION);
export const STOP_TRANSCRIPTION = doc<{ stopTranscription: ActionResult }, CallId>(ops.STOP_TRANSCRIPTION);
export const COMPLETE_WRAP_UP = doc<{ completeWrapUp: ActionResult }, CallId & { disposition: string; notes?: string | null }>(ops.COMPLETE_WRAP_UP);
export const REQUEST_CALLBACK = doc<{ requestCallback: ActionResult }, CallId>(ops.REQUEST_CALLBACK);
export const CALL_BACK = doc<{ callBack: { position: string | null; number: string; fromCallId: string | null } }, { number: string; fromCallId?: string | null }>(ops.CALL_BACK);
export const ANNOUNCE = doc<{ announce: ActionResult }, CallId & { text: string; target: 'CUSTOMER' | 'AGENT' | 'BOTH' }>(ops.ANNOUNCE);

// ---- supervisor
export const WALLBOARD = doc<{ wallboard: Wallboard }>(ops.WALLBOARD);
export const WALLBOARD_CHANGED = doc<{ wallboardChanged: Wallboard }>(ops.WALLBOARD_CHANGED);
export const CALL_LIVE = doc<{ call: LiveCall | null }, { id: string }>(ops.CALL_LIVE);
export const CALL_CHANGED = doc<{ callChanged: LiveCall }, CallId>(ops.CALL_CHANGED);
export const SUPERVISE_CALL = doc<{ superviseCall: ActionResult }, CallId & { role: SupervisorRole }>(ops.SUPERVISE_CALL);
export const SWITCH_SUPERVISOR_ROLE = doc<{ switchSupervisorRole: ActionResult }, CallId & { role: SupervisorRole }>(ops.SWITCH_SUPERVISOR_ROLE);
export const END_SUPERVISION = doc<{ endSupervision: ActionResult }, CallId>(ops.END_SUPERVISION);
export const SET_AGENT_STATUS = doc<{ setAgentStatus: AgentActionResult }, { agentId: string; status: AgentStatus; reason?: string | null }>(ops.SET_AGENT_STATUS);
export const LOGOUT_AGENT = doc<{ logoutAgent: AgentActionResult }, { agentId: string; reason?: string | null }>(ops.LOGOUT_AGENT);
export const CALLBACKS = doc<{ callbacks: PendingCallback[] }, { queueId?: string | null }>(ops.CALLBACKS);
export const VOICEMAILS = doc<{ voicemails: { nodes: Voicemail[]; pageInfo: PageInfo } }, { first: number; after?: string | null; queueId?: string | null }>(ops.VOICEMAILS);
export const RECORDING_URL = doc<{ recordingUrl: RecordingUrl }, { callId: string; recordingId: string }>(ops.RECORDING_URL);
export const REPORTS = doc<
  { reports: ReportRow[] },
  { scope: ReportScope; id?: string | null; from: string; to: string; granularity: ReportGranularity }
>(ops.REPORTS);

// ---- history and analysis
export const CALL_HISTORY = doc<{ callHistory: { nodes: CallSummary[]; pageInfo: PageInfo } }, { filter?: CallHistoryFilter | null; first: number; after?: string | null }>(
  ops.CALL_HISTORY,
);
export const CALL_DETAIL = doc<{ call: CallDetail | null; routingDecisions: RoutingDecision[] }, { id: string }>(ops.CALL_DETAIL);
export const EVENT_HISTORY = doc<
  { eventHistory: { nodes: StoredEvent[]; pageInfo: PageInfo } },
  { filter?: EventHistoryFilter | null; first: number; after?: string | null; newestFirst: boolean }
>(ops.EVENT_HISTORY);
export const QUEUES_AS_OF = doc<{ queuesAsOf: Queue[]; agentsAsOf: Agent[] }, { at?: string | null; position?: string | null }>(ops.QUEUES_AS_OF);

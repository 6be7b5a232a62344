/** The shapes the console reads from the API (schema.graphql is the reference). */

export type Role = 'AGENT' | 'SUPERVISOR' | 'ANALYST' | 'ADMIN';

export interface Me {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  agentId: string | null;
  deviceId: string;
  sessionId: string;
}

export interface TelephonyToken {
  loginToken: string;
  sipUsername: string;
  expiresAt: string;
}

export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  me: Me;
}

export interface LoginPayload extends SessionTokens {
  telephony: TelephonyToken | null;
  telephonyError: string | null;
}

export interface SessionEvent {
  type: string;
  endsThisSession: boolean;
  sessionId: string | null;
  occurredAt: string;
}

export interface SoftphoneRegistration {
  agentId: string;
  deviceId: string;
  registered: boolean;
  sipUsername: string;
}

// ---------------------------------------------------------------- live views

export type AgentStatus = 'AVAILABLE' | 'BREAK' | 'OFFLINE';
export type AgentState = 'OFFLINE' | 'AVAILABLE' | 'BREAK' | 'RESERVED' | 'RINGING' | 'ON_CALL' | 'WRAP_UP';
export type CallDirection = 'INBOUND' | 'OUTBOUND';
export type CallOutcome =
  | 'ABANDONED'
  | 'AFTER_HOURS'
  | 'ANSWERED'
  | 'CALLBACK'
  | 'ENDED_IN_IVR'
  | 'IN_PROGRESS'
  | 'MAX_WAIT'
  | 'OUTBOUND'
  | 'REJECTED'
  | 'TRANSFERRED'
  | 'VOICEMAIL';
export type LiveRecording = 'ON' | 'PAUSED' | 'OFF';
export type SupervisorRole = 'MONITOR' | 'WHISPER' | 'BARGE';
export type TransferMode = 'BLIND' | 'WARM';

export interface SkillRequirement {
  skill: string;
  minLevel: number;
}

export interface Agent {
  id: string;
  name: string | null;
  supervisor: boolean;
  status: AgentStatus;
  breakReason: string | null;
  statusSince: string | null;
  state: AgentState;
  stateSince: string | null;
  idleSince: string | null;
  muted: boolean;
  missedInARow: number;
  callsHandled: number;
  lastEventAt: string | null;
  offer: { offerId: string; callId: string; expiresAt: string } | null;
  currentCall: {
    callId: string;
    direction: CallDirection;
    since: string;
    queueId: string | null;
    via: string | null;
    held: boolean;
    heldSince: string | null;
    holdSeconds: number;
  } | null;
  wrapUp: { callId: string; since: string; until: string } | null;
  device: { sipUsername: string; registered: boolean } | null;
  today: {
    callsHandled: number;
    inboundCalls: number;
    outboundCalls: number;
    talkSeconds: number;
    holdSeconds: number;
    wrapUpSeconds: number;
    offersMissed: number;
    offersRejected: number;
  };
}

export interface WaitingCall {
  callId: string;
  entryId: string;
  position: number;
  kind: 'CALL' | 'CALLBACK';
  state: 'WAITING' | 'RINGING';
  priority: number;
  enqueuedAt: string;
  waitedSeconds: number;
  estimatedWaitSeconds: number;
  reason: string;
  callbackNumber: string | null;
  targetAgentId: string | null;
  waitingReason: string | null;
  caller: { number: string | null; name: string | null };
  attributes: { language: string | null; department: string | null; skills: SkillRequirement[] };
  offer: { offerId: string; agentIds: string[]; expiresAt: string } | null;
}

export interface QueueToday {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
  longestWaitSeconds: number;
}

export interface Queue {
  id: string;
  name: string | null;
  strategy: string | null;
  serviceLevelThresholdSeconds: number | null;
  waiting: number;
  ringing: number;
  callbacks: number;
  longestWaitSeconds: number;
  oldestEnqueuedAt: string | null;
  ahtSeconds: number;
  asOf: string | null;
  agents: { serving: number; loggedIn: number; available: number; ready: number; ringing: number; onCall: number; wrapUp: number; break: number; offline: number };
  today: QueueToday | null;
  calls: WaitingCall[];
}

export interface CrmContact {
  contactId?: string;
  name?: string;
  account?: string;
  email?: string;
  tier?: string;
  language?: string;
  notes?: string;
  tags?: string[];
  phoneNumbers?: string[];
  [key: string]: unknown;
}

export interface CallCaller {
  number: string | null;
  name: string | null;
  contact?: CrmContact | null;
  previousCalls?: number;
}

export interface CallAttributes {
  language: string | null;
  department: string | null;
  priority: number | null;
  skills: SkillRequirement[];
}

export interface IvrInfo {
  language: string | null;
  selections: Array<{ menuId: string; label: string; digits: string | null; byDefault: boolean; at: string }>;
}

export interface CallSummary {
  id: string;
  direction: CallDirection | null;
  status: 'IN_PROGRESS' | 'ENDED';
  outcome: CallOutcome;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  callerNumber: string | null;
  caller: { number: string | null; name: string | null };
  queueId: string | null;
  agentId: string | null;
  recordings: Array<{ recordingId: string; kind: 'CALL' | 'VOICEMAIL'; status: 'REQUESTED' | 'STORED' | 'FAILED'; durationSeconds: number | null }>;
  voicemail: { recordingId: string | null; durationSeconds: number | null; recordedAt: string | null } | null;
}

export interface TranscriptLine {
  at: string;
  track: 'INBOUND' | 'OUTBOUND' | null;
  text: string;
  confidence: number | null;
}

export interface LiveCall {
  id: string;
  direction: CallDirection | null;
  status: 'IN_PROGRESS' | 'ENDED';
  outcome: CallOutcome;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  from: string | null;
  to: string | null;
  callerNumber: string | null;
  caller: CallCaller;
  attributes: CallAttributes;
  ivr: IvrInfo;
  queueId: string | null;
  agentId: string | null;
  held: boolean;
  recording: LiveRecording;
  transcribing: boolean;
  transcript: TranscriptLine[];
  transfers: Array<{ transferId: string; mode: TransferMode; status: string; target: { agentId: string | null; queueId: string | null; number: string | null }; fromAgentId: string; requestedAt: string; reason: string | null }>;
  supervision: Array<{ supervisorId: string; mode: string; startedAt: string; endedAt: string | null }>;
  connections: Array<{ agentId: string; via: string; connectedAt: string; disconnectedAt: string | null; heldSince: string | null }>;
  dispositions: Array<{ agentId: string; disposition: string; notes: string; at: string }>;
}

export interface DeskOffer {
  offerId: string;
  callId: string;
  expiresAt: string;
  queueId: string | null;
  waitedSeconds: number | null;
  caller: CallCaller;
  attributes: CallAttributes;
  ivr: IvrInfo;
  previousCalls: CallSummary[];
}

export interface Desk {
  agentId: string;
  agent: Agent | null;
  offer: DeskOffer | null;
  call: LiveCall | null;
  wrapUp: { callId: string; since: string; until: string } | null;
  wrapUpDeadline: string | null;
  recentCalls: CallSummary[];
}

export interface ActionResult {
  position: string | null;
  caughtUp?: boolean;
  call?: LiveCall | null;
}

export interface AgentActionResult {
  position: string | null;
  agent: Agent | null;
}

export interface Wallboard {
  asOf: string;
  queues: Queue[];
  agents: Agent[];
  totals: {
    waiting: number;
    ringing: number;
    callbacks: number;
    longestWaitSeconds: number;
    agentsLoggedIn: number;
    agentsAvailable: number;
    agentsRinging: number;
    agentsOnCall: number;
    agentsWrapUp: number;
    agentsBreak: number;
  };
}

export interface PendingCallback {
  callId: string;
  queueId: string;
  position: number;
  number: string | null;
  caller: { number: string | null; name: string | null };
  enqueuedAt: string;
  waitedSeconds: number;
  estimatedWaitSeconds: number;
  state: 'WAITING' | 'RINGING';
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Voicemail {
  callId: string;
  callerName: string | null;
  callerNumber: string | null;
  durationSeconds: number | null;
  playbackUrl: string | null;
  playbackUrlExpiresAt: string | null;
  queueId: string | null;
  reason: string;
  recordedAt: string | null;
  recordingId: string | null;
}

export interface RecordingUrl {
  url: string;
  contentType: string | null;
  expiresAt: string;
}

export interface QueueFigures {
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
  abandonRate: number | null;
  longestWaitSeconds: number;
  occupancy: number | null;
  handled: number;
}

export interface AgentFigures {
  offers: number;
  accepted: number;
  missed: number;
  rejected: number;
  handled: number;
  inbound: number;
  outbound: number;
  talkSeconds: number;
  holdSeconds: number;
  wrapUpSeconds: number;
}

export type ReportScope = 'QUEUE' | 'AGENT';
export type ReportGranularity = 'INTERVAL' | 'DAY';

export interface ReportRow {
  scope: ReportScope;
  id: string;
  date: string;
  start: string;
  end: string | null;
  granularity: ReportGranularity;
  queue: QueueFigures | null;
  agent: AgentFigures | null;
}

export interface RoutingDecision {
  decisionId: string;
  position: string;
  at: string;
  queueId: string;
  strategy: string;
  rank: number;
  priority: number;
  waitedSeconds: number;
  chosen: string[];
  waitingReason: string | null;
  considered: number;
  eligible: number;
  candidates: Array<{ agentId: string; eligible: boolean; chosen: boolean; reasons: string[]; idleSince: string | null; score: number | null }>;
  ineligibleReasons: Array<{ reason: string; count: number }>;
}

export interface CallDetail extends LiveCall {
  closingReason: string | null;
  endOutcome: string | null;
  hangupCause: string | null;
  hangupSource: string | null;
  durationSeconds: number | null;
  answeredBy: string | null;
  agentIds: string[];
  agentsOffered: string[];
  afterHours: { hoursId: string; reason: string; voicemail: boolean } | null;
  durations: { ivrSeconds: number | null; waitSeconds: number | null; talkSeconds: number; holdSeconds: number; wrapUpSeconds: number };
  queues: Array<{ entryId: string; queueId: string; kind: string; reason: string; fromQueueId: string | null; priority: number; enqueuedAt: string; leftAt: string | null; leftReason: string | null; waitedSeconds: number | null }>;
  offers: Array<{ offerId: string; purpose: string; strategy: string; queueId: string | null; at: string; expiresAt: string; agents: Array<{ agentId: string; outcome: string; reason: string | null; at: string | null }> }>;
  recordings: Array<{ recordingId: string; kind: 'CALL' | 'VOICEMAIL'; status: 'REQUESTED' | 'STORED' | 'FAILED'; startedAt: string | null; endedAt: string | null; durationSeconds: number | null; channels: string | null; contentType: string | null; error: string | null }>;
  voicemail: { reason: string; queueId: string | null; recordingId: string | null; durationSeconds: number | null; startedAt: string; recordedAt: string | null } | null;
  legs: Array<{ callControlId: string; role: string; agentId: string | null; status: string; initiatedAt: string | null; answeredAt: string | null; endedAt: string | null; hangupCause: string | null; hangupSource: string | null }>;
  timeline: Array<{ position: string; at: string; type: string; summary: string; webhook: { eventType: string; linkedFrom: string | null } | null }>;
}

export interface StoredEvent {
  id: string;
  position: string;
  streamId: string;
  revision: string;
  type: string;
  occurredAt: string | null;
  recordedAt: string;
  data: unknown;
  metadata: unknown;
}

export interface CallHistoryFilter {
  agentId?: string | null;
  callerNumber?: string | null;
  from?: string | null;
  to?: string | null;
  outcome?: CallOutcome | null;
  queueId?: string | null;
}

export interface EventHistoryFilter {
  from?: string | null;
  to?: string | null;
  fromPosition?: string | null;
  toPosition?: string | null;
  streamId?: string | null;
  streamPrefix?: string | null;
  types?: string[] | null;
}

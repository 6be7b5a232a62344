import type { CallOutcome, CallQueued, LeftQueueReason, OfferPurpose, TransferTarget } from '../../api/calls/callEvents';
import type { LegRole } from '../../api/calls/webhook';
import type { SkillRequirement } from '../../api/config/config';
import type { CrmContact } from '../../api/crm/crmPort';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';

/** The outcome the history is filtered by (a coarser view of `CallOutcome`). */
export type HistoryOutcome =
  | 'in-progress'
  | 'answered'
  | 'abandoned'
  | 'voicemail'
  | 'transferred'
  | 'after-hours'
  | 'callback'
  | 'outbound'
  | 'max-wait'
  | 'ended-in-ivr'
  | 'rejected';

export const HISTORY_OUTCOMES: readonly HistoryOutcome[] = [
  'in-progress',
  'answered',
  'abandoned',
  'voicemail',
  'transferred',
  'after-hours',
  'callback',
  'outbound',
  'max-wait',
  'ended-in-ivr',
  'rejected',
];

/**
 * One recorded event of the call, as a compact tuple (a call has some sixty of them):
 * [position, at, type, summary], plus [webhookId, eventType] for a webhook, plus the stream of the
 * original for a linked copy. `position` (decimal) finds the full event, raw webhook included, in the
 * event store. `timelineOf` (queries) turns them into objects.
 */
export type TimelineEntry =
  | [position: string, at: string, type: string, summary: string]
  | [position: string, at: string, type: string, summary: string, webhookId: string, eventType: string]
  | [position: string, at: string, type: string, summary: string, webhookId: string, eventType: string, linkedFrom: string];

export interface TimelineItem {
  position: string;
  at: string;
  type: string;
  summary: string;
  webhook: { id: string; eventType: string; linkedFrom: string | null } | null;
}

export const timelineItem = (entry: TimelineEntry): TimelineItem => ({
  position: entry[0],
  at: entry[1],
  type: entry[2],
  summary: entry[3],
  webhook: entry.length > 4 ? { id: entry[4] as string, eventType: entry[5] as string, linkedFrom: entry[6] ?? null } : null,
});

export interface CallLegView {
  callControlId: string;
  callLegId: string | null;
  role: LegRole;
  agentId: string | null;
  status: 'initiated' | 'answered' | 'bridged' | 'ended';
  initiatedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  hangupCause: string | null;
  hangupSource: string | null;
  /** occurred_at of the latest webhook of the leg. */
  lastEventAt: string;
}

export interface QueueVisit {
  entryId: string;
  queueId: string;
  kind: 'call' | 'callback';
  reason: CallQueued['data']['reason'];
  fromQueueId: string | null;
  priority: number;
  enqueuedAt: string;
  queueEnteredAt: string;
  leftAt: string | null;
  leftReason: LeftQueueReason | null;
  waitedSeconds: number | null;
  queueWaitedSeconds: number | null;
}

export interface OfferView {
  offerId: string;
  purpose: OfferPurpose;
  strategy: string;
  queueId: string | null;
  decisionId: string | null;
  at: string;
  expiresAt: string;
  agents: Array<{ agentId: string; outcome: 'ringing' | 'accepted' | 'rejected' | 'missed' | 'cancelled'; reason: string | null; at: string | null }>;
}

/** A routing decision, summarised: the chosen and eligible candidates with their reasons, the others counted by reason. */
export interface DecisionView {
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
  /** Not eligible, counted by reason (e.g. { reason: 'busy (OnCall)', count: 12 }), most frequent first. */
  ineligibleReasons: Array<{ reason: string; count: number }>;
}

export interface ConnectionView {
  agentId: string;
  via: 'queue' | 'transfer' | 'callback' | 'outbound';
  queueId: string | null;
  connectedAt: string;
  disconnectedAt: string | null;
  reason: string | null;
  /** Connected time not on hold. */
  talkSeconds: number | null;
  holdSeconds: number;
  heldSince: string | null;
  wrapUpSeconds: number | null;
}

export interface TransferView {
  transferId: string;
  kind: 'blind' | 'warm';
  target: TransferTarget;
  fromAgentId: string;
  requestedAt: string;
  status: 'requested' | 'consulting' | 'completed' | 'cancelled' | 'transferred-out';
  reason: string | null;
  at: string;
}

export interface RecordingView {
  recordingId: string;
  kind: 'call' | 'voicemail';
  status: 'requested' | 'stored' | 'failed';
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  channels: string | null;
  location: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  error: string | null;
}

export interface CallHistoryDoc extends ReadModelDocument {
  callId: string;
  direction: 'inbound' | 'outbound' | null;
  status: 'in-progress' | 'ended';
  startedAt: string | null;
  /** First time an agent was connected. */
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  from: string | null;
  to: string | null;
  /** The outside party: the caller of an inbound call, the destination of an outbound call. */
  callerNumber: string | null;
  caller: { name: string | null; contact: CrmContact | null; previousCalls: number };
  outcome: HistoryOutcome;
  endOutcome: CallOutcome | null;
  closingReason: string | null;
  hangupCause: string | null;
  hangupSource: string | null;
  afterHours: { hoursId: string; reason: string; voicemail: boolean } | null;
  ivr: {
    entryMenuId: string | null;
    language: string | null;
    startedAt: string | null;
    endedAt: string | null;
    selections: Array<{ menuId: string; digits: string | null; label: string; action: string; byDefault: boolean; at: string }>;
    rejectedInputs: number;
  };
  attributes: { language: string | null; department: string | null; skills: SkillRequirement[]; priority: number | null };
  /** The last queue the call waited in. */
  queueId: string | null;
  queues: QueueVisit[];
  callback: { number: string; requestedAt: string; via: string; failedAttempts: number } | null;
  offers: OfferView[];
  agentsOffered: string[];
  /** The first agent connected. */
  answeredBy: string | null;
  /** The last agent connected. */
  agentId: string | null;
  /** Every agent connected, in order. */
  agentIds: string[];
  connections: ConnectionView[];
  decisions: DecisionView[];
  transfers: TransferView[];
  durations: { ivrSeconds: number | null; waitSeconds: number | null; talkSeconds: number; holdSeconds: number; wrapUpSeconds: number };
  recordings: RecordingView[];
  voicemail: { reason: string; queueId: string | null; recordingId: string | null; durationSeconds: number | null; startedAt: string; recordedAt: string | null } | null;
  /** Set once a voicemail is recorded (indexed for the voicemail list). */
  voicemailAt: string | null;
  transcript: Array<{ at: string; track: 'inbound' | 'outbound' | null; text: string; confidence: number | null }>;
  dispositions: Array<{ agentId: string; disposition: string; notes: string; at: string }>;
  /** Agents who called this call's caller back from it (the outbound calls name it in `callBackOf`). */
  callBacks: Array<{ agentId: string; number: string; at: string }>;
  /** For an outbound call started as a call back: the earlier call it calls back (indexed). */
  callBackOf: string | null;
  supervision: Array<{ supervisorId: string; mode: string; startedAt: string; endedAt: string | null }>;
  legs: CallLegView[];
  timeline: TimelineEntry[];
  lastEventAt: string | null;
}

/** One document per (call, connected agent): the agent's call history, filterable like the calls. */
export interface CallAgentDoc extends ReadModelDocument {
  callId: string;
  agentId: string;
  startedAt: string | null;
  connectedAt: string;
  queueId: string | null;
  outcome: HistoryOutcome;
  callerNumber: string | null;
}

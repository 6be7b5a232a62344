import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';
import type { AgentPresence } from '../shared/agentPresence';

/** Seconds agents spent in each state (time is credited when the state ends, split at interval boundaries). */
export interface StateSeconds {
  /** Available and idle. */
  idle: number;
  /** Reserved for an offer or ringing. */
  ringing: number;
  onCall: number;
  wrapUp: number;
  /** On break and idle. */
  break: number;
}

/** Queue figures of an interval or a day. The rules of each count are in docs/reports.md. */
export interface QueueMetrics {
  /** CallQueued into the queue (every entry: IVR, IVR default, callback option, overflow in, transfer in). */
  offered: number;
  offeredBy: { ivr: number; ivrDefault: number; callback: number; overflow: number; transfer: number };
  /** CallLeftQueue(answered). */
  answered: number;
  /** Answered with waitedSeconds <= the queue's service-level threshold. */
  answeredWithinThreshold: number;
  /** CallLeftQueue(abandoned): the caller hung up while waiting or ringing. */
  abandoned: number;
  /** Abandoned with waitedSeconds < 5. */
  shortAbandoned: number;
  /** Abandoned with waitedSeconds > the threshold. */
  abandonedAfterThreshold: number;
  /** Other ways out of the queue (CallLeftQueue reasons). */
  exits: { overflow: number; voicemail: number; maxWait: number; transfer: number; callbackFailed: number; hungUp: number };
  /** Sum of waitedSeconds of answered calls. */
  answeredWaitSeconds: number;
  /** Longest waitedSeconds of any CallLeftQueue. */
  longestWaitSeconds: number;
  /** Agent parts of calls that came through the queue and ended (AgentCallEnded). */
  handled: number;
  talkSeconds: number;
  holdSeconds: number;
  wrapUpSeconds: number;
  /** Time of the agents serving the queue. */
  agentSeconds: StateSeconds;
  serviceLevelThresholdSeconds: number | null;
  /** answeredWithinThreshold / (answered + abandonedAfterThreshold). */
  serviceLevel: number | null;
  /** answeredWaitSeconds / answered. */
  asaSeconds: number | null;
  /** (abandoned − shortAbandoned) / (answered + abandoned − shortAbandoned). */
  abandonRate: number | null;
  /** (talk + hold + wrap-up) / handled. */
  ahtSeconds: number | null;
  /** (onCall + wrapUp) / (onCall + wrapUp + idle + ringing) of agentSeconds. */
  occupancy: number | null;
}

export interface AgentMetrics {
  /** Offers made to the agent (CallOffered listing the agent). */
  offers: number;
  accepted: number;
  missed: number;
  rejected: number;
  /** AgentCallEnded. */
  handled: number;
  inbound: number;
  outbound: number;
  talkSeconds: number;
  holdSeconds: number;
  wrapUpSeconds: number;
  stateSeconds: StateSeconds;
  /** idle + ringing + onCall + wrapUp + break. */
  loggedInSeconds: number;
  ahtSeconds: number | null;
  occupancy: number | null;
}

export interface QueueIntervalDoc extends ReadModelDocument, QueueMetrics {
  queueId: string;
  intervalStart: string;
  intervalEnd: string;
  /** Calendar date of the interval in the center's time zone. */
  date: string;
}

export interface QueueDayDoc extends ReadModelDocument, QueueMetrics {
  queueId: string;
  date: string;
}

export interface AgentIntervalDoc extends ReadModelDocument, AgentMetrics {
  agentId: string;
  intervalStart: string;
  intervalEnd: string;
  date: string;
}

export interface AgentDayDoc extends ReadModelDocument, AgentMetrics {
  agentId: string;
  date: string;
}

/** Where an ended call's figures went, so its wrap-up lands in the same interval. */
export interface ReportSlot {
  intervalStart: string;
  date: string;
  queueId: string | null;
}

export interface ReportAgentDoc extends ReadModelDocument {
  agentId: string;
  presence: AgentPresence;
  /** Start of the current state (the time not yet credited). */
  since: string | null;
  connection: { callId: string; queueId: string | null; via: string } | null;
  callStart: { callId: string; direction: 'inbound' | 'outbound' } | null;
  hold: { callId: string; heldSince: string | null; seconds: number } | null;
  lastEnded: ({ callId: string } & ReportSlot) | null;
}

import type { CallQueued } from '../../api/calls/callEvents';
import type { SkillRequirement } from '../../api/config/config';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';
import type { AgentPresence } from '../shared/agentPresence';
import type { CenterConfig } from '../shared/centerConfig';

/** A call waiting in a queue (or a pending callback keeping its place), as the wallboard and agents see it. */
export interface WaitingCallView {
  callId: string;
  entryId: string;
  /** 1-based, in routing order: priority (desc), then the original enqueue time, then call id. */
  position: number;
  kind: 'call' | 'callback';
  /** `ringing` while an offer to agents is open. */
  state: 'waiting' | 'ringing';
  priority: number;
  /** The original enqueue time (kept across overflow, transfers and callbacks). */
  enqueuedAt: string;
  queueEnteredAt: string;
  /** Seconds since `enqueuedAt`, as of the queue's `asOf`. */
  waitedSeconds: number;
  estimatedWaitSeconds: number;
  reason: CallQueued['data']['reason'];
  fromQueueId: string | null;
  targetAgentId: string | null;
  callbackNumber: string | null;
  attributes: { language: string | null; department: string | null; skills: SkillRequirement[] };
  caller: { number: string | null; name: string | null };
  /** Why nobody was chosen at the latest routing decision (null once an agent was chosen). */
  waitingReason: string | null;
  offer: { offerId: string; agentIds: string[]; offeredAt: string; expiresAt: string } | null;
  lastAnnouncement: { position: number; ewtSeconds: number; at: string } | null;
}

/** Agents whose profile meets the queue's own requirements, by what they are doing now. */
export interface QueueAgentCounters {
  /** Every agent whose profile serves the queue, logged in or not. */
  serving: number;
  loggedIn: number;
  /** Available and idle (whether their device is registered or not). */
  available: number;
  /** Available, idle and with a registered device: the agents the router can pick now. */
  ready: number;
  /** Reserved for an offer or ringing. */
  ringing: number;
  onCall: number;
  wrapUp: number;
  /** On break and idle. */
  break: number;
  offline: number;
}

export interface QueueViewDoc extends ReadModelDocument {
  queueId: string;
  /** False for a queue that received calls without being configured, or that was removed. */
  configured: boolean;
  name: string | null;
  strategy: string | null;
  priority: number | null;
  serviceLevelThresholdSeconds: number | null;
  /** In position order. */
  calls: WaitingCallView[];
  /** Calls waiting (kind call), ringing included. */
  waiting: number;
  ringing: number;
  /** Pending callbacks. */
  callbacks: number;
  /** Oldest wait among calls of kind `call`, as of `asOf`. */
  longestWaitSeconds: number;
  oldestEnqueuedAt: string | null;
  agents: QueueAgentCounters;
  /** Handle time used for estimated waits: a moving average of the queue's talk time plus the agents' wrap-up. */
  ahtSeconds: number;
  ahtSamples: number;
  /**
   * When the waits were computed: the time of the latest call event of the queue, configuration change or
   * status change of an agent serving it. (An agent starting or ending a call changes only `agents`.)
   */
  asOf: string | null;
}

export interface QueueCenterDoc extends ReadModelDocument {
  config: CenterConfig;
  agents: Record<string, AgentPresence>;
  /** Every queue with a view document (configured or having received calls), sorted. */
  queueIds: string[];
}

export interface QueueCallDoc extends ReadModelDocument {
  callId: string;
  callerNumber: string | null;
  callerName: string | null;
  /** The queue the call waits in now. */
  queueId: string | null;
  /** Agents connected now: when and through which queue. */
  connections: Record<string, { at: string; queueId: string | null; via: string }>;
}

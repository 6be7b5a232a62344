import type { AgentActivity, AgentDevice } from '../../api/agents/agent';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';

/** Status and activity combined: the activity when the agent is busy, else the status. */
export type AgentStateLabel = 'Offline' | 'Available' | 'Break' | 'Reserved' | 'Ringing' | 'OnCall' | 'WrapUp';

/** Totals of the agent's current day (in the center's time zone), reset by the first event of a later day. */
export interface AgentDayTotals {
  date: string | null;
  /** Calls whose agent part ended this day (AgentCallEnded). */
  callsHandled: number;
  inboundCalls: number;
  outboundCalls: number;
  /** Connected time not on hold. */
  talkSeconds: number;
  holdSeconds: number;
  wrapUpSeconds: number;
  offersMissed: number;
  offersRejected: number;
}

export interface AgentCurrentCall {
  callId: string;
  direction: 'inbound' | 'outbound';
  offerId: string | null;
  since: string;
  /** The queue the call came through (null until the call stream says, or for a consultation). */
  queueId: string | null;
  via: 'queue' | 'transfer' | 'callback' | 'outbound' | null;
  held: boolean;
  heldSince: string | null;
  /** Hold time of this call so far, holds that ended. */
  holdSeconds: number;
}

export interface AgentView extends ReadModelDocument {
  agentId: string;
  name: string | null;
  supervisor: boolean;
  /** Has an agent profile in the configuration. */
  configured: boolean;
  status: 'Offline' | 'Available' | 'Break';
  breakReason: string | null;
  statusSince: string | null;
  /** The agent decider's activity (kind plus the offer, call or wrap-up it is about). */
  activity: AgentActivity;
  activitySince: string | null;
  state: AgentStateLabel;
  stateSince: string | null;
  /** End of the last call or wrap-up (FreeSWITCH's last_bridge_end); the first login before any call. */
  idleSince: string | null;
  offer: { offerId: string; callId: string; expiresAt: string } | null;
  currentCall: AgentCurrentCall | null;
  wrapUp: { callId: string; since: string; until: string } | null;
  device: AgentDevice | null;
  muted: boolean;
  missedInARow: number;
  /** Calls handled since the agent's stream began. */
  callsHandled: number;
  today: AgentDayTotals;
  lastCall: { callId: string; endedAt: string; talkSeconds: number; holdSeconds: number; wrapUpSeconds: number | null } | null;
  lastEventAt: string | null;
  /** @internal the latest connection the call stream reported for this agent. */
  connection: { callId: string; queueId: string | null; via: AgentCurrentCall['via'] } | null;
  /** @internal the open call's direction and offer, from AgentCallStarted. */
  callStart: { callId: string; direction: 'inbound' | 'outbound'; offerId: string | null } | null;
  /** @internal hold of the open call. */
  hold: { callId: string; heldSince: string | null; seconds: number } | null;
}

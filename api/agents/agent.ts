////////////////////////////////////////// Stream

export const agentStreamId = (agentId: string): string => `agent-${agentId}`;
export const AGENT_STREAM_PREFIX = 'agent-';

////////////////////////////////////////// Events (stream agent-<agentId>)

type At = { agentId: string; occurredAt: string };
type E<Type extends string, Data> = { type: Type; data: At & Data };

export type StatusLabel = 'Offline' | 'Available' | 'Break';
export type OfferPurpose = 'queue' | 'callback' | 'consult';
export type ReleaseReason = 'offer-failed' | 'expired' | 'cancelled' | 'answered-elsewhere' | 'caller-hung-up' | 'call-left-queue' | 'transfer-cancelled';

export type AgentLoggedIn = E<'AgentLoggedIn', { status: 'Available' | 'Break'; breakReason: string | null; actor: string }>;
export type AgentLoggedOut = E<'AgentLoggedOut', { reason: string; actor: string }>;
export type AgentStatusChanged = E<'AgentStatusChanged', { from: StatusLabel; to: 'Available' | 'Break'; reason: string | null; actor: string }>;
export type AgentDeviceRegistered = E<'AgentDeviceRegistered', { credentialId: string; sipUsername: string; actor: string }>;
export type AgentDeviceUnregistered = E<'AgentDeviceUnregistered', { credentialId: string; reason: string; actor: string }>;
/** The agent is booked for one offer until `expiresAt`; appended with the agent stream's expected revision, so one agent is never booked twice. */
export type AgentReserved = E<'AgentReserved', { offerId: string; callId: string; queueId: string | null; purpose: OfferPurpose; expiresAt: string }>;
export type AgentRinging = E<'AgentRinging', { offerId: string; callId: string }>;
export type AgentReservationReleased = E<'AgentReservationReleased', { offerId: string; callId: string; reason: ReleaseReason }>;
export type AgentOfferMissed = E<'AgentOfferMissed', { offerId: string; callId: string; reason: string; missedInARow: number; maxNoAnswer: number }>;
export type AgentOfferRejected = E<'AgentOfferRejected', { offerId: string; callId: string; reason: string }>;
export type AgentCallStarted = E<'AgentCallStarted', { callId: string; offerId: string | null; direction: 'inbound' | 'outbound' }>;
export type AgentCallEnded = E<'AgentCallEnded', { callId: string; startedAt: string; talkSeconds: number; reason: string }>;
export type AgentWrapUpStarted = E<'AgentWrapUpStarted', { callId: string; until: string }>;
export type AgentWrapUpCompleted = E<'AgentWrapUpCompleted', { callId: string; startedAt: string; wrapUpSeconds: number; auto: boolean; actor: string }>;
export type AgentMuted = E<'AgentMuted', { callId: string; actor: string }>;
export type AgentUnmuted = E<'AgentUnmuted', { callId: string; actor: string }>;

export type AgentEvent =
  | AgentLoggedIn
  | AgentLoggedOut
  | AgentStatusChanged
  | AgentDeviceRegistered
  | AgentDeviceUnregistered
  | AgentReserved
  | AgentRinging
  | AgentReservationReleased
  | AgentOfferMissed
  | AgentOfferRejected
  | AgentCallStarted
  | AgentCallEnded
  | AgentWrapUpStarted
  | AgentWrapUpCompleted
  | AgentMuted
  | AgentUnmuted;

export const AGENT_EVENT_TYPES: ReadonlyArray<AgentEvent['type']> = [
  'AgentLoggedIn',
  'AgentLoggedOut',
  'AgentStatusChanged',
  'AgentDeviceRegistered',
  'AgentDeviceUnregistered',
  'AgentReserved',
  'AgentRinging',
  'AgentReservationReleased',
  'AgentOfferMissed',
  'AgentOfferRejected',
  'AgentCallStarted',
  'AgentCallEnded',
  'AgentWrapUpStarted',
  'AgentWrapUpCompleted',
  'AgentMuted',
  'AgentUnmuted',
];

export const isAgentEvent = (event: { type: string }): event is AgentEvent => (AGENT_EVENT_TYPES as readonly string[]).includes(event.type);

////////////////////////////////////////// State

export type AgentActivity =
  | { kind: 'Idle' }
  | { kind: 'Reserved'; offerId: string; callId: string; expiresAt: string }
  | { kind: 'Ringing'; offerId: string; callId: string; expiresAt: string }
  | { kind: 'OnCall'; callId: string; since: string }
  | { kind: 'WrapUp'; callId: string; since: string; until: string };

export interface AgentDevice {
  credentialId: string;
  sipUsername: string;
  registered: boolean;
}

interface AgentCommon {
  agentId: string | null;
  device: AgentDevice | null;
  activity: AgentActivity;
  activitySince: string | null;
  statusSince: string | null;
  /** End of the last call or wrap-up (FreeSWITCH's last_bridge_end); the login time before the first call. */
  idleSince: string | null;
  missedInARow: number;
  muted: boolean;
  callsHandled: number;
  /** Offers already settled on this stream (recent ones), so a repeated miss or rejection counts once. */
  settledOffers: string[];
  /** Calls started (recent ones, as `startKey`), so the same start repeated (a follow-up replayed after a restart) starts nothing. */
  startedCalls?: string[];
}

export type AgentState = AgentCommon & ({ status: 'Offline' } | { status: 'Available' } | { status: 'Break'; reason: string });

export const initialAgentState = (): AgentState => ({
  status: 'Offline',
  agentId: null,
  device: null,
  activity: { kind: 'Idle' },
  activitySince: null,
  statusSince: null,
  idleSince: null,
  missedInARow: 0,
  muted: false,
  callsHandled: 0,
  settledOffers: [],
});

const SETTLED_OFFERS_KEPT = 50;
const STARTED_CALLS_KEPT = 20;

/** One start of a call for an agent: the call and the offer it came with (a call offered again is another start). */
export const startKey = (callId: string, offerId: string | null): string => `${callId}|${offerId ?? 'own'}`;
const settle = (state: AgentState, offerId: string): string[] => [...state.settledOffers.filter((id) => id !== offerId), offerId].slice(-SETTLED_OFFERS_KEPT);

const idle = (state: AgentState, at: string): AgentState => ({ ...state, activity: { kind: 'Idle' }, activitySince: at, muted: false });

export const evolveAgent = (state: AgentState, event: AgentEvent): AgentState => {
  const d = event.data;
  const s: AgentState = state.agentId === null ? { ...state, agentId: d.agentId } : state;
  switch (event.type) {
    case 'AgentLoggedIn': {
      const status = event.data.status === 'Break' ? { status: 'Break' as const, reason: event.data.breakReason ?? 'break' } : { status: 'Available' as const };
      return { ...s, ...status, statusSince: d.occurredAt, idleSince: s.idleSince ?? d.occurredAt, missedInARow: 0 };
    }
    case 'AgentLoggedOut':
      return { ...s, status: 'Offline', statusSince: d.occurredAt };
    case 'AgentStatusChanged':
      return event.data.to === 'Break'
        ? { ...s, status: 'Break', reason: event.data.reason ?? 'break', statusSince: d.occurredAt }
        : { ...s, status: 'Available', statusSince: d.occurredAt, missedInARow: 0 };
    case 'AgentDeviceRegistered':
      return { ...s, device: { credentialId: event.data.credentialId, sipUsername: event.data.sipUsername, registered: true } };
    case 'AgentDeviceUnregistered':
      return s.device ? { ...s, device: { ...s.device, registered: false } } : s;
    case 'AgentReserved':
      return { ...s, activity: { kind: 'Reserved', offerId: event.data.offerId, callId: event.data.callId, expiresAt: event.data.expiresAt }, activitySince: d.occurredAt };
    case 'AgentRinging':
      return s.activity.kind === 'Reserved' && s.activity.offerId === event.data.offerId ? { ...s, activity: { ...s.activity, kind: 'Ringing' }, activitySince: d.occurredAt } : s;
    case 'AgentReservationReleased':
      return (s.activity.kind === 'Reserved' || s.activity.kind === 'Ringing') && s.activity.offerId === event.data.offerId ? idle(s, d.occurredAt) : s;
    case 'AgentOfferMissed': {
      const released = (s.activity.kind === 'Reserved' || s.activity.kind === 'Ringing') && s.activity.offerId === event.data.offerId ? idle(s, d.occurredAt) : s;
      return { ...released, missedInARow: event.data.missedInARow, settledOffers: settle(s, event.data.offerId) };
    }
    case 'AgentOfferRejected': {
      const released = (s.activity.kind === 'Reserved' || s.activity.kind === 'Ringing') && s.activity.offerId === event.data.offerId ? idle(s, d.occurredAt) : s;
      return { ...released, settledOffers: settle(s, event.data.offerId) };
    }
    case 'AgentCallStarted': {
      const key = startKey(event.data.callId, event.data.offerId);
      const startedCalls = [...(s.startedCalls ?? []).filter((k) => k !== key), key].slice(-STARTED_CALLS_KEPT);
      return { ...s, activity: { kind: 'OnCall', callId: event.data.callId, since: d.occurredAt }, activitySince: d.occurredAt, missedInARow: 0, muted: false, startedCalls };
    }
    case 'AgentCallEnded':
      return { ...idle(s, d.occurredAt), idleSince: d.occurredAt, callsHandled: s.callsHandled + 1 };
    case 'AgentWrapUpStarted':
      return { ...s, activity: { kind: 'WrapUp', callId: event.data.callId, since: d.occurredAt, until: event.data.until }, activitySince: d.occurredAt };
    case 'AgentWrapUpCompleted':
      return { ...idle(s, d.occurredAt), idleSince: d.occurredAt };
    case 'AgentMuted':
      return { ...s, muted: true };
    case 'AgentUnmuted':
      return { ...s, muted: false };
    default: {
      const _exhaustive: never = event;
      return s;
    }
  }
};

import type { Command, Decider } from '../core/decider';
import { IllegalStateError, ValidationError } from '../core/errors';
import { evolveAgent, initialAgentState, startKey, type AgentEvent, type AgentState, type OfferPurpose, type ReleaseReason } from './agent';

////////////////////////////////////////// Commands

export type LogIn = Command<'LogIn', { agentId: string; status?: 'Available' | 'Break'; breakReason?: string }>;
export type LogOut = Command<'LogOut', { agentId: string; reason?: string }>;
export type ChangeStatus = Command<'ChangeStatus', { agentId: string; status: 'Available' | 'Break' | 'Offline'; reason?: string }>;
export type RegisterDevice = Command<'RegisterDevice', { agentId: string; credentialId: string; sipUsername: string }>;
export type UnregisterDevice = Command<'UnregisterDevice', { agentId: string; reason: string }>;
export type ReserveAgent = Command<'ReserveAgent', { agentId: string; offerId: string; callId: string; queueId: string | null; purpose: OfferPurpose; expiresAt: string }>;
export type MarkRinging = Command<'MarkRinging', { agentId: string; offerId: string }>;
export type ReleaseReservation = Command<'ReleaseReservation', { agentId: string; offerId: string; reason: ReleaseReason }>;
/** Sent by the reactor's timer at the reservation's deadline: a reservation is never stuck. */
export type ExpireReservation = Command<'ExpireReservation', { agentId: string; offerId: string }>;
export type RecordOfferMissed = Command<'RecordOfferMissed', { agentId: string; offerId: string; callId: string; reason: string; maxNoAnswer: number }>;
export type RecordOfferRejected = Command<'RecordOfferRejected', { agentId: string; offerId: string; callId: string; reason: string }>;
export type StartCall = Command<'StartCall', { agentId: string; callId: string; offerId: string | null; direction: 'inbound' | 'outbound' }>;
export type EndCall = Command<'EndCall', { agentId: string; callId: string; reason: string; wrapUpSeconds: number }>;
export type CompleteAgentWrapUp = Command<'CompleteAgentWrapUp', { agentId: string; callId?: string }>;
/** Sent by the reactor's timer at the wrap-up deadline. */
export type ExpireWrapUp = Command<'ExpireWrapUp', { agentId: string; callId: string }>;
export type Mute = Command<'Mute', { agentId: string; callId: string }>;
export type Unmute = Command<'Unmute', { agentId: string; callId: string }>;

export type AgentCommand =
  | LogIn
  | LogOut
  | ChangeStatus
  | RegisterDevice
  | UnregisterDevice
  | ReserveAgent
  | MarkRinging
  | ReleaseReservation
  | ExpireReservation
  | RecordOfferMissed
  | RecordOfferRejected
  | StartCall
  | EndCall
  | CompleteAgentWrapUp
  | ExpireWrapUp
  | Mute
  | Unmute;

////////////////////////////////////////// Decide

const secondsBetween = (from: string, to: string): number => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
const addSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();

const holdsOffer = (state: AgentState, offerId: string): boolean =>
  (state.activity.kind === 'Reserved' || state.activity.kind === 'Ringing') && state.activity.offerId === offerId;

/** Why the agent cannot be reserved now, or null when it can. */
export const reservationRefusal = (state: AgentState): string | null => {
  if (state.status === 'Offline') return 'the agent is logged out';
  if (state.status === 'Break') return `the agent is on break (${state.reason})`;
  if (!state.device?.registered) return "the agent's device is not registered";
  switch (state.activity.kind) {
    case 'Idle':
      return null;
    case 'Reserved':
    case 'Ringing':
      return `the agent is already ${state.activity.kind.toLowerCase()} for offer ${state.activity.offerId}`;
    case 'OnCall':
      return `the agent is on call ${state.activity.callId}`;
    case 'WrapUp':
      return `the agent is in wrap-up until ${state.activity.until}`;
    default: {
      const _exhaustive: never = state.activity;
      return 'unknown activity';
    }
  }
};

const finishWrapUp = (state: AgentState, agentId: string, now: string, auto: boolean, actor: string): AgentEvent[] =>
  state.activity.kind === 'WrapUp'
    ? [{ type: 'AgentWrapUpCompleted', data: { agentId, occurredAt: now, callId: state.activity.callId, startedAt: state.activity.since, wrapUpSeconds: secondsBetween(state.activity.since, now), auto, actor } }]
    : [];

export const decideAgent = (command: AgentCommand, state: AgentState): AgentEvent[] => {
  const { now, actor: actorOrUndefined } = command.metadata;
  const actor = actorOrUndefined ?? command.data.agentId;
  const agentId = command.data.agentId;
  const at = { agentId, occurredAt: now };
  if (state.agentId !== null && state.agentId !== agentId) throw new ValidationError(`Command for agent ${agentId} sent to the stream of ${state.agentId}`);

  switch (command.type) {
    case 'LogIn': {
      if (state.status !== 'Offline') return [];
      const status = command.data.status ?? 'Available';
      return [{ type: 'AgentLoggedIn', data: { ...at, status, breakReason: status === 'Break' ? (command.data.breakReason ?? 'break') : null, actor } }];
    }
    case 'LogOut':
    case 'ChangeStatus': {
      const to = command.type === 'LogOut' ? 'Offline' : command.data.status;
      const reason = command.data.reason ?? null;
      if (to === 'Offline') {
        if (state.status === 'Offline') return [];
        if (state.activity.kind === 'OnCall' || state.activity.kind === 'Reserved' || state.activity.kind === 'Ringing') {
          throw new IllegalStateError(`Agent ${agentId} cannot log out while ${state.activity.kind === 'OnCall' ? 'on a call' : 'being offered a call'}`);
        }
        return [...finishWrapUp(state, agentId, now, true, actor), { type: 'AgentLoggedOut', data: { ...at, reason: reason ?? 'logged out', actor } }];
      }
      if (state.status === 'Offline') throw new IllegalStateError(`Agent ${agentId} is logged out: log in first`);
      if (to === 'Available' && state.status === 'Available') return [];
      if (to === 'Break' && state.status === 'Break' && state.reason === (reason ?? 'break')) return [];
      return [{ type: 'AgentStatusChanged', data: { ...at, from: state.status, to, reason: to === 'Break' ? (reason ?? 'break') : null, actor } }];
    }
    case 'RegisterDevice': {
      const { credentialId, sipUsername } = command.data;
      if (state.device?.registered && state.device.credentialId === credentialId && state.device.sipUsername === sipUsername) return [];
      return [{ type: 'AgentDeviceRegistered', data: { ...at, credentialId, sipUsername, actor } }];
    }
    case 'UnregisterDevice':
      return state.device?.registered ? [{ type: 'AgentDeviceUnregistered', data: { ...at, credentialId: state.device.credentialId, reason: command.data.reason, actor } }] : [];
    case 'ReserveAgent': {
      const { offerId, callId, queueId, purpose, expiresAt } = command.data;
      if (holdsOffer(state, offerId)) return [];
      const refusal = reservationRefusal(state);
      if (refusal !== null) throw new IllegalStateError(`Cannot reserve ${agentId}: ${refusal}`);
      if (expiresAt <= now) throw new ValidationError('A reservation must expire in the future');
      return [{ type: 'AgentReserved', data: { ...at, offerId, callId, queueId, purpose, expiresAt } }];
    }
    case 'MarkRinging':
      return state.activity.kind === 'Reserved' && state.activity.offerId === command.data.offerId
        ? [{ type: 'AgentRinging', data: { ...at, offerId: command.data.offerId, callId: state.activity.callId } }]
        : [];
    case 'ReleaseReservation':
      return (state.activity.kind === 'Reserved' || state.activity.kind === 'Ringing') && state.activity.offerId === command.data.offerId
        ? [{ type: 'AgentReservationReleased', data: { ...at, offerId: command.data.offerId, callId: state.activity.callId, reason: command.data.reason } }]
        : [];
    case 'ExpireReservation':
      return (state.activity.kind === 'Reserved' || state.activity.kind === 'Ringing') && state.activity.offerId === command.data.offerId && now >= state.activity.expiresAt
        ? [{ type: 'AgentReservationReleased', data: { ...at, offerId: command.data.offerId, callId: state.activity.callId, reason: 'expired' } }]
        : [];
    case 'RecordOfferMissed': {
      const { offerId, callId, reason, maxNoAnswer } = command.data;
      if (state.settledOffers.includes(offerId)) return [];
      const missedInARow = state.missedInARow + 1;
      const events: AgentEvent[] = [{ type: 'AgentOfferMissed', data: { ...at, offerId, callId, reason, missedInARow, maxNoAnswer } }];
      if (missedInARow >= maxNoAnswer && state.status === 'Available') {
        events.push({ type: 'AgentStatusChanged', data: { ...at, from: 'Available', to: 'Break', reason: 'missed offers', actor: 'system' } });
      }
      return events;
    }
    case 'RecordOfferRejected': {
      const { offerId, callId, reason } = command.data;
      if (state.settledOffers.includes(offerId)) return [];
      return [{ type: 'AgentOfferRejected', data: { ...at, offerId, callId, reason } }];
    }
    case 'StartCall': {
      const { callId, offerId, direction } = command.data;
      const activity = state.activity;
      if (activity.kind === 'OnCall' && activity.callId === callId) return [];
      // The same start again (a follow-up replayed after a restart, or late) starts nothing; an offer of the call again does.
      if ((state.startedCalls ?? []).includes(startKey(callId, offerId))) return [];
      if (offerId === null) {
        // A call the agent's own phone placed is a fact, whatever the agent stream holds: an offer being made is
        // withdrawn, a call whose end has not been recorded yet (another call's stream) is ended here.
        const before: AgentEvent[] =
          activity.kind === 'OnCall'
            ? [{ type: 'AgentCallEnded', data: { ...at, callId: activity.callId, startedAt: activity.since, talkSeconds: secondsBetween(activity.since, now), reason: 'superseded' } }]
            : activity.kind === 'Reserved' || activity.kind === 'Ringing'
              ? [{ type: 'AgentReservationReleased', data: { ...at, offerId: activity.offerId, callId: activity.callId, reason: 'cancelled' } }]
              : finishWrapUp(state, agentId, now, true, actor);
        return [...before, { type: 'AgentCallStarted', data: { ...at, callId, offerId: null, direction } }];
      }
      if (activity.kind === 'OnCall') throw new IllegalStateError(`Agent ${agentId} is already on call ${activity.callId}`);
      if (holdsOffer(state, offerId)) return [{ type: 'AgentCallStarted', data: { ...at, callId, offerId, direction } }];
      // The agent answered after the reservation lapsed: the call is a fact, record it unless another offer holds the agent.
      if (activity.kind === 'Reserved' || activity.kind === 'Ringing') throw new IllegalStateError(`Agent ${agentId} holds offer ${activity.offerId}, not ${offerId}`);
      return [...finishWrapUp(state, agentId, now, true, actor), { type: 'AgentCallStarted', data: { ...at, callId, offerId, direction } }];
    }
    case 'EndCall': {
      const { callId, reason, wrapUpSeconds } = command.data;
      if (state.activity.kind !== 'OnCall' || state.activity.callId !== callId) return [];
      const ended: AgentEvent = { type: 'AgentCallEnded', data: { ...at, callId, startedAt: state.activity.since, talkSeconds: secondsBetween(state.activity.since, now), reason } };
      return wrapUpSeconds > 0 ? [ended, { type: 'AgentWrapUpStarted', data: { ...at, callId, until: addSeconds(now, wrapUpSeconds) } }] : [ended];
    }
    case 'CompleteAgentWrapUp':
      if (state.activity.kind !== 'WrapUp' || (command.data.callId !== undefined && command.data.callId !== state.activity.callId)) return [];
      return finishWrapUp(state, agentId, now, false, actor);
    case 'ExpireWrapUp':
      if (state.activity.kind !== 'WrapUp' || state.activity.callId !== command.data.callId || now < state.activity.until) return [];
      return finishWrapUp(state, agentId, now, true, 'system');
    case 'Mute':
    case 'Unmute': {
      if (state.activity.kind !== 'OnCall' || state.activity.callId !== command.data.callId) throw new IllegalStateError(`Agent ${agentId} is not on call ${command.data.callId}`);
      if ((command.type === 'Mute') === state.muted) return [];
      return [{ type: command.type === 'Mute' ? 'AgentMuted' : 'AgentUnmuted', data: { ...at, callId: command.data.callId, actor } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
};

export const agentDecider: Decider<AgentState, AgentCommand, AgentEvent> = {
  decide: decideAgent,
  evolve: evolveAgent,
  initialState: initialAgentState,
};

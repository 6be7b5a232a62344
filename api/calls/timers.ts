import type { AgentEvent } from '../agents/agent';
import { agentStreamId } from '../agents/agent';
import type { AgentCommand } from '../agents/agentDecider';
import type { ContactCenterSettings, QueueConfig } from '../config/config';
import { deterministicId } from '../core/decider';
import type { CallCommand } from './callCommands';
import { addSeconds, OFFER_EXPIRY_GRACE_SECONDS } from './callDecider';
import type { CallEvent } from './callEvents';
import { callStreamId } from './webhook';

/**
 * Deadlines the reactor keeps: each recorded event may start one. At `at` (or at once, after a restart, when
 * it has passed) the reactor handles `command` on `streamId`; the deciders ignore a timer that is early or
 * no longer relevant, so timers never need cancelling. Command ids derive from the deadline, so a timer
 * fired twice decides once.
 */
export type Timer = { at: string; streamId: string; kind: 'call'; command: Omit<CallCommand, 'metadata'> } | { at: string; streamId: string; kind: 'agent'; command: Omit<AgentCommand, 'metadata'> };

export const timerCommandId = (timer: Timer): string => deterministicId('timer', timer.streamId, timer.command.type, timer.at);

/** When the reservation for an offer in `queue` must lapse: after the offer's own expiry, with a margin. */
export const reservationDeadline = (now: string, queue: Pick<QueueConfig, 'ringTimeoutSeconds'> | undefined, settings: Pick<ContactCenterSettings, 'reservationGraceSeconds'>): string =>
  addSeconds(now, (queue?.ringTimeoutSeconds ?? 20) + OFFER_EXPIRY_GRACE_SECONDS + settings.reservationGraceSeconds);

export const timersFor = (event: CallEvent | AgentEvent): Timer[] => {
  switch (event.type) {
    case 'CallOffered':
      return [{ at: event.data.expiresAt, streamId: callStreamId(event.data.callId), kind: 'call', command: { type: 'ExpireOffer', data: { offerId: event.data.offerId } } }];
    case 'CallQueued': {
      const d = event.data;
      const due = [...d.deadlines.overflow.map((t) => t.at), ...(d.kind === 'call' ? [d.deadlines.maxWaitAt] : []), ...(d.nextAnnouncementAt ? [d.nextAnnouncementAt] : [])];
      return [...new Set(due)].sort().map((at): Timer => ({ at, streamId: callStreamId(d.callId), kind: 'call', command: { type: 'CheckQueueTimers', data: {} } }));
    }
    case 'QueuePositionAnnounced':
      return event.data.nextAnnouncementAt
        ? [{ at: event.data.nextAnnouncementAt, streamId: callStreamId(event.data.callId), kind: 'call', command: { type: 'CheckQueueTimers', data: {} } }]
        : [];
    case 'AgentReserved':
      return [{ at: event.data.expiresAt, streamId: agentStreamId(event.data.agentId), kind: 'agent', command: { type: 'ExpireReservation', data: { agentId: event.data.agentId, offerId: event.data.offerId } } }];
    case 'AgentWrapUpStarted':
      return [{ at: event.data.until, streamId: agentStreamId(event.data.agentId), kind: 'agent', command: { type: 'ExpireWrapUp', data: { agentId: event.data.agentId, callId: event.data.callId } } }];
    default:
      return [];
  }
};

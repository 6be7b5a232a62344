import { evolveAgent, initialAgentState, isAgentEvent, type AgentEvent, type AgentState } from '../agents/agent';
import type { CallEvent } from '../calls/callEvents';
import { emptyConfiguration, evolveConfiguration, isConfigEvent, type ContactCenterConfig } from '../config/config';
import { requirementGaps, requirementsFor, routingOrder, type RoutingAgent, type RoutingSnapshot, type WaitingCall } from './router';

/**
 * What the router needs, folded from `$all`: configuration, every agent's state, the calls waiting in
 * queues (with their original enqueue time, priority and declines) and the round-robin pointers. The
 * reactor keeps one in memory and asks it for a snapshot at each routing pass.
 */
export interface WaitingEntry extends WaitingCall {
  queueEnteredAt: string;
  /** An offer is ringing: the call is not routed again until it is back in the queue. */
  offering: boolean;
}

export interface RoutingView {
  config: ContactCenterConfig;
  agents: Record<string, AgentState>;
  waiting: Record<string, WaitingEntry>;
  roundRobinPointers: Record<string, string>;
}

export const emptyRoutingView = (): RoutingView => ({ config: emptyConfiguration(), agents: {}, waiting: {}, roundRobinPointers: {} });

const CALL_EVENT_TYPES = new Set<string>(['CallQueued', 'CallLeftQueue', 'CallbackRequested', 'CallOffered', 'CallReturnedToQueue', 'CallEnded', 'RoutingDecisionMade']);

type RoutedCallEvent = Extract<CallEvent, { type: 'CallQueued' | 'CallLeftQueue' | 'CallbackRequested' | 'CallOffered' | 'CallReturnedToQueue' | 'CallEnded' | 'RoutingDecisionMade' }>;

const withoutKey = <V>(record: Record<string, V>, key: string): Record<string, V> => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

const evolveWaiting = (view: RoutingView, event: RoutedCallEvent): RoutingView => {
  const d = event.data;
  const current = view.waiting[d.callId];
  const put = (entry: WaitingEntry): RoutingView => ({ ...view, waiting: { ...view.waiting, [d.callId]: entry } });
  switch (event.type) {
    case 'CallQueued':
      return put({
        callId: d.callId,
        entryId: event.data.entryId,
        queueId: event.data.queueId,
        kind: event.data.kind,
        priority: event.data.priority,
        enqueuedAt: event.data.enqueuedAt,
        queueEnteredAt: event.data.queueEnteredAt,
        attributes: event.data.attributes,
        targetAgentId: event.data.targetAgentId,
        excludedAgents: event.data.reason === 'overflow' && current ? current.excludedAgents : [],
        offering: false,
      });
    case 'CallLeftQueue':
      return current && current.entryId === event.data.entryId ? { ...view, waiting: withoutKey(view.waiting, d.callId) } : view;
    case 'CallbackRequested':
      // Asking for a callback cancels a ringing offer: the entry waits again, as a callback.
      return current ? put({ ...current, kind: 'callback', offering: false }) : view;
    case 'CallOffered':
      return current && event.data.purpose !== 'consult' ? put({ ...current, offering: true }) : view;
    case 'CallReturnedToQueue':
      return current ? put({ ...current, offering: false, targetAgentId: null, excludedAgents: event.data.excludedAgents }) : view;
    case 'CallEnded':
      return current ? { ...view, waiting: withoutKey(view.waiting, d.callId) } : view;
    case 'RoutingDecisionMade':
      return event.data.strategy === 'round-robin' && event.data.chosen.length > 0
        ? { ...view, roundRobinPointers: { ...view.roundRobinPointers, [event.data.queueId]: event.data.chosen[0] } }
        : view;
    default: {
      const _exhaustive: never = event;
      return view;
    }
  }
};

/** Folds any recorded event; events the router does not care about leave the view unchanged. */
export const evolveRoutingView = (view: RoutingView, event: { type: string; data: unknown }): RoutingView => {
  if (isConfigEvent(event)) return { ...view, config: evolveConfiguration(view.config, event) };
  if (isAgentEvent(event)) {
    const agentEvent: AgentEvent = event;
    const agentId = agentEvent.data.agentId;
    return { ...view, agents: { ...view.agents, [agentId]: evolveAgent(view.agents[agentId] ?? initialAgentState(), agentEvent) } };
  }
  if (CALL_EVENT_TYPES.has(event.type)) return evolveWaiting(view, event as RoutedCallEvent);
  return view;
};

export const routingAgentOf = (view: RoutingView, agentId: string): RoutingAgent | undefined => {
  const profile = view.config.agents[agentId];
  if (!profile) return undefined;
  const state = view.agents[agentId] ?? initialAgentState();
  return {
    agentId,
    status: state.status,
    breakReason: state.status === 'Break' ? state.reason : null,
    activity: state.activity.kind,
    skills: profile.skills,
    languages: profile.languages,
    departments: profile.departments,
    idleSince: state.idleSince,
    registered: state.device?.registered ?? false,
    sipUsername: state.device?.sipUsername ?? null,
  };
};

/** The router's input at `now`: calls waiting without a ringing offer, and every configured agent. */
export const routingSnapshot = (view: RoutingView, now: string): RoutingSnapshot => ({
  now,
  queues: view.config.queues,
  waitingCalls: Object.values(view.waiting)
    .filter((w) => !w.offering)
    .map(({ queueEnteredAt: _queueEnteredAt, offering: _offering, ...call }) => call),
  agents: Object.keys(view.config.agents)
    .sort()
    .map((agentId) => routingAgentOf(view, agentId))
    .filter((a): a is RoutingAgent => a !== undefined),
  roundRobinPointers: view.roundRobinPointers,
});

/** 1-based position of a waiting call in its queue (routing order), or undefined when it is not waiting. */
export const queuePosition = (view: RoutingView, callId: string): number | undefined => {
  const entry = view.waiting[callId];
  if (!entry) return undefined;
  const sameQueue = Object.values(view.waiting).filter((w) => w.queueId === entry.queueId);
  return routingOrder(sameQueue).findIndex((w) => w.callId === callId) + 1;
};

/** Logged-in agents (available, busy or in wrap-up, not on break) who meet a queue's own requirements. */
export const agentsServing = (view: RoutingView, queueId: string): number => {
  const queue = view.config.queues[queueId];
  if (!queue) return 0;
  const requirements = requirementsFor(queue, {});
  return Object.keys(view.config.agents).filter((agentId) => {
    const agent = routingAgentOf(view, agentId);
    return agent !== undefined && agent.status === 'Available' && requirementGaps(agent, requirements).length === 0;
  }).length;
};

/** Agent ids by SIP user name, to find the agent whose device placed an outbound call. */
export const agentBySipUsername = (view: RoutingView, sipUsername: string): string | undefined =>
  Object.entries(view.agents).find(([, state]) => state.device?.sipUsername === sipUsername)?.[0];

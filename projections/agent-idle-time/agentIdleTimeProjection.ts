import { evolveAgent, initialAgentState, type AgentEvent, type AgentState } from '../../api/agents/agent';
import { defineProjection, type Projection } from '../runner/projection';
import { CENTER_CONFIG_ID, emptyCenterConfig, evolveCenterConfig, type CenterConfigDoc } from '../shared/centerConfig';
import { domainEventOf, EventChanges } from '../shared/events';
import { laterIso, localDate, secondsFrom, toMs } from '../shared/time';
import type { AgentCurrentCall, AgentDayTotals, AgentStateLabel, AgentView } from './agentView';

export const AGENT_IDLE_TIME_PROJECTION = 'agent-idle-time';
export const AGENT_COLLECTIONS = { agents: 'agents', center: 'center' } as const;

const emptyDay = (date: string | null): AgentDayTotals => ({
  date,
  callsHandled: 0,
  inboundCalls: 0,
  outboundCalls: 0,
  talkSeconds: 0,
  holdSeconds: 0,
  wrapUpSeconds: 0,
  offersMissed: 0,
  offersRejected: 0,
});

export const emptyAgentView = (agentId: string): AgentView => ({
  _id: agentId,
  agentId,
  name: null,
  supervisor: false,
  configured: false,
  status: 'Offline',
  breakReason: null,
  statusSince: null,
  activity: { kind: 'Idle' },
  activitySince: null,
  state: 'Offline',
  stateSince: null,
  idleSince: null,
  offer: null,
  currentCall: null,
  wrapUp: null,
  device: null,
  muted: false,
  missedInARow: 0,
  callsHandled: 0,
  today: emptyDay(null),
  lastCall: null,
  lastEventAt: null,
  connection: null,
  callStart: null,
  hold: null,
});

////////////////////////////////////////// Folding with the agent decider's evolve

const deciderStateOf = (view: AgentView): AgentState =>
  ({
    ...initialAgentState(),
    ...(view.status === 'Break' ? { status: 'Break', reason: view.breakReason ?? 'break' } : { status: view.status }),
    agentId: view.agentId,
    device: view.device,
    activity: view.activity,
    activitySince: view.activitySince,
    statusSince: view.statusSince,
    idleSince: view.idleSince,
    missedInARow: view.missedInARow,
    muted: view.muted,
    callsHandled: view.callsHandled,
    settledOffers: [],
  }) as AgentState;

const withDeciderState = (view: AgentView, state: AgentState): AgentView => ({
  ...view,
  status: state.status,
  breakReason: state.status === 'Break' ? state.reason : null,
  statusSince: state.statusSince,
  activity: state.activity,
  activitySince: state.activitySince,
  idleSince: state.idleSince,
  device: state.device,
  muted: state.muted,
  missedInARow: state.missedInARow,
  callsHandled: state.callsHandled,
});

/** Recomputes the fields derived from status, activity and the call details. */
const derive = (view: AgentView): AgentView => {
  const a = view.activity;
  const state: AgentStateLabel = a.kind === 'Idle' ? view.status : a.kind;
  const stateSince = a.kind === 'Idle' ? (view.statusSince === null ? view.activitySince : laterIso(view.activitySince, view.statusSince)) : view.activitySince;
  let currentCall: AgentCurrentCall | null = null;
  if (a.kind === 'OnCall') {
    const start = view.callStart?.callId === a.callId ? view.callStart : null;
    const connection = view.connection?.callId === a.callId ? view.connection : null;
    const hold = view.hold?.callId === a.callId ? view.hold : null;
    currentCall = {
      callId: a.callId,
      direction: start?.direction ?? 'inbound',
      offerId: start?.offerId ?? null,
      since: a.since,
      queueId: connection?.queueId ?? null,
      via: connection?.via ?? null,
      held: hold?.heldSince != null,
      heldSince: hold?.heldSince ?? null,
      holdSeconds: hold?.seconds ?? 0,
    };
  }
  return {
    ...view,
    state,
    stateSince,
    offer: a.kind === 'Reserved' || a.kind === 'Ringing' ? { offerId: a.offerId, callId: a.callId, expiresAt: a.expiresAt } : null,
    wrapUp: a.kind === 'WrapUp' ? { callId: a.callId, since: a.since, until: a.until } : null,
    currentCall,
  };
};

/** Today's totals for an event of `date`: a later day starts new totals; an event of an earlier day adds nothing. */
const dayFor = (today: AgentDayTotals, date: string): AgentDayTotals | null => {
  if (today.date === null || date > today.date) return emptyDay(date);
  return date === today.date ? today : null;
};

const closeHold = (hold: AgentView['hold'], at: string): AgentView['hold'] =>
  hold && hold.heldSince !== null ? { ...hold, heldSince: null, seconds: hold.seconds + secondsFrom(toMs(hold.heldSince), toMs(at)) } : hold;

const applyAgentEvent = (view: AgentView, event: AgentEvent, timezone: string): AgentView => {
  const at = event.data.occurredAt;
  let next = withDeciderState(view, evolveAgent(deciderStateOf(view), event));
  next = { ...next, lastEventAt: laterIso(view.lastEventAt, at) };
  const date = localDate(toMs(at), timezone);
  const addToday = (add: (day: AgentDayTotals) => AgentDayTotals): void => {
    const day = dayFor(next.today, date);
    if (day) next = { ...next, today: add(day) };
  };
  switch (event.type) {
    case 'AgentCallStarted':
      next = { ...next, callStart: { callId: event.data.callId, direction: event.data.direction, offerId: event.data.offerId }, hold: { callId: event.data.callId, heldSince: null, seconds: 0 } };
      break;
    case 'AgentCallEnded': {
      const d = event.data;
      const hold = view.hold?.callId === d.callId ? closeHold(view.hold, at) : null;
      const holdSeconds = Math.min(hold?.seconds ?? 0, d.talkSeconds);
      const talkSeconds = d.talkSeconds - holdSeconds;
      const direction = view.callStart?.callId === d.callId ? view.callStart.direction : 'inbound';
      addToday((day) => ({
        ...day,
        callsHandled: day.callsHandled + 1,
        inboundCalls: day.inboundCalls + (direction === 'inbound' ? 1 : 0),
        outboundCalls: day.outboundCalls + (direction === 'outbound' ? 1 : 0),
        talkSeconds: day.talkSeconds + talkSeconds,
        holdSeconds: day.holdSeconds + holdSeconds,
      }));
      next = { ...next, hold: null, callStart: null, lastCall: { callId: d.callId, endedAt: at, talkSeconds, holdSeconds, wrapUpSeconds: null } };
      break;
    }
    case 'AgentWrapUpCompleted': {
      const d = event.data;
      addToday((day) => ({ ...day, wrapUpSeconds: day.wrapUpSeconds + d.wrapUpSeconds }));
      if (next.lastCall?.callId === d.callId) next = { ...next, lastCall: { ...next.lastCall, wrapUpSeconds: d.wrapUpSeconds } };
      break;
    }
    case 'AgentOfferMissed':
      addToday((day) => ({ ...day, offersMissed: day.offersMissed + 1 }));
      break;
    case 'AgentOfferRejected':
      addToday((day) => ({ ...day, offersRejected: day.offersRejected + 1 }));
      break;
    default:
      break;
  }
  return derive(next);
};

////////////////////////////////////////// The projection

export const agentIdleTimeProjection = (): Projection =>
  defineProjection({
    name: AGENT_IDLE_TIME_PROJECTION,
    version: 1,
    collections: [{ name: AGENT_COLLECTIONS.agents, indexes: [{ fields: ['state', '_id'] }] }, { name: AGENT_COLLECTIONS.center }],
    filter: {
      streamPrefixes: ['agent-', 'call-', 'config-'],
      eventTypePrefixes: ['Agent', 'CallHeld', 'CallUnheld', 'BusinessHours', 'PhoneNumber'],
    },
    async apply({ event, get, update }) {
      const domain = domainEventOf(event);
      const changes = new EventChanges();
      const agents = AGENT_COLLECTIONS.agents;
      switch (domain.stream) {
        case 'config': {
          const center = (await get<CenterConfigDoc>(AGENT_COLLECTIONS.center, CENTER_CONFIG_ID)) ?? { _id: CENTER_CONFIG_ID, ...emptyCenterConfig() };
          const { _id, _position, ...config } = center;
          const next = evolveCenterConfig(config, domain.event);
          if (next !== config) changes.change<CenterConfigDoc>(AGENT_COLLECTIONS.center, CENTER_CONFIG_ID, () => ({ _id, ...next }));
          const e = domain.event;
          if (e.type === 'AgentProfileConfigured') {
            changes.change<AgentView>(agents, e.data.agentId, (doc) => ({ ...(doc ?? emptyAgentView(e.data.agentId)), name: e.data.name, supervisor: e.data.supervisor, configured: true }));
          } else if (e.type === 'AgentProfileRemoved') {
            changes.change<AgentView>(agents, e.data.agentId, (doc) => (doc ? { ...doc, configured: false } : doc));
          }
          break;
        }
        case 'agent': {
          const center = await get<CenterConfigDoc>(AGENT_COLLECTIONS.center, CENTER_CONFIG_ID);
          const timezone = center?.timezone ?? 'UTC';
          const e = domain.event;
          changes.change<AgentView>(agents, e.data.agentId, (doc) => applyAgentEvent(doc ?? emptyAgentView(e.data.agentId), e, timezone));
          break;
        }
        case 'call': {
          const e = domain.event;
          switch (e.type) {
            case 'AgentConnected': {
              const connection = { callId: e.data.callId, queueId: e.data.queueId, via: e.data.via };
              changes.change<AgentView>(agents, e.data.agentId, (doc) => derive({ ...(doc ?? emptyAgentView(e.data.agentId)), connection }));
              break;
            }
            case 'CallHeld':
              changes.change<AgentView>(agents, e.data.agentId, (doc) => {
                if (!doc || doc.activity.kind !== 'OnCall' || doc.activity.callId !== e.data.callId) return doc;
                const hold = doc.hold?.callId === e.data.callId ? doc.hold : { callId: e.data.callId, heldSince: null, seconds: 0 };
                return derive({ ...doc, hold: hold.heldSince === null ? { ...hold, heldSince: e.data.occurredAt } : hold });
              });
              break;
            case 'CallUnheld':
            case 'AgentDisconnected':
              changes.change<AgentView>(agents, e.data.agentId, (doc) =>
                doc && doc.hold?.callId === e.data.callId && doc.hold.heldSince !== null ? derive({ ...doc, hold: closeHold(doc.hold, e.data.occurredAt) }) : doc,
              );
              break;
            default:
              return;
          }
          break;
        }
        case 'other':
          return;
      }
      await changes.commit({ update });
    },
  });

import type { AgentEvent } from '../../api/agents/agent';
import type { CallEvent, LeftQueueReason } from '../../api/calls/callEvents';
import { defineProjection, type Projection } from '../runner/projection';
import { OFFLINE_PRESENCE, presenceAfter, timeStateOf, type TimeState } from '../shared/agentPresence';
import { CENTER_CONFIG_EVENT_TYPES, CENTER_CONFIG_ID, emptyCenterConfig, evolveCenterConfig, type CenterConfig, type CenterConfigDoc } from '../shared/centerConfig';
import { domainEventOf, EventChanges } from '../shared/events';
import { INTERVAL_MS, intervalStartMs, localDate, round, secondsFrom, toIso, toMs } from '../shared/time';
import type {
  AgentDayDoc,
  AgentIntervalDoc,
  AgentMetrics,
  QueueDayDoc,
  QueueIntervalDoc,
  QueueMetrics,
  ReportAgentDoc,
  ReportSlot,
  StateSeconds,
} from './reportViews';

export const REPORTS_PROJECTION = 'reports';
export const REPORT_COLLECTIONS = {
  queueIntervals: 'queueIntervals',
  queueDays: 'queueDays',
  agentIntervals: 'agentIntervals',
  agentDays: 'agentDays',
  agents: 'agents',
  center: 'center',
} as const;

/** A caller who hangs up within this many seconds is a short abandon. */
export const SHORT_ABANDON_SECONDS = 5;
/** Threshold used for a queue that is not (or no longer) configured. */
export const DEFAULT_SERVICE_LEVEL_THRESHOLD_SECONDS = 20;

////////////////////////////////////////// Figures

const zeroStates = (): StateSeconds => ({ idle: 0, ringing: 0, onCall: 0, wrapUp: 0, break: 0 });

export const emptyQueueMetrics = (): QueueMetrics => ({
  offered: 0,
  offeredBy: { ivr: 0, ivrDefault: 0, callback: 0, overflow: 0, transfer: 0 },
  answered: 0,
  answeredWithinThreshold: 0,
  abandoned: 0,
  shortAbandoned: 0,
  abandonedAfterThreshold: 0,
  exits: { overflow: 0, voicemail: 0, maxWait: 0, transfer: 0, callbackFailed: 0, hungUp: 0 },
  answeredWaitSeconds: 0,
  longestWaitSeconds: 0,
  handled: 0,
  talkSeconds: 0,
  holdSeconds: 0,
  wrapUpSeconds: 0,
  agentSeconds: zeroStates(),
  serviceLevelThresholdSeconds: null,
  serviceLevel: null,
  asaSeconds: null,
  abandonRate: null,
  ahtSeconds: null,
  occupancy: null,
});

export const emptyAgentMetrics = (): AgentMetrics => ({
  offers: 0,
  accepted: 0,
  missed: 0,
  rejected: 0,
  handled: 0,
  inbound: 0,
  outbound: 0,
  talkSeconds: 0,
  holdSeconds: 0,
  wrapUpSeconds: 0,
  stateSeconds: zeroStates(),
  loggedInSeconds: 0,
  ahtSeconds: null,
  occupancy: null,
});

const ratio = (numerator: number, denominator: number, decimals: number): number | null => (denominator > 0 ? round(numerator / denominator, decimals) : null);

const occupancyOf = (s: StateSeconds): number | null => ratio(s.onCall + s.wrapUp, s.onCall + s.wrapUp + s.idle + s.ringing, 4);

/** Recomputes the ratios from the counts, in place. */
const deriveQueue = <T extends QueueMetrics>(m: T): T => {
  m.serviceLevel = ratio(m.answeredWithinThreshold, m.answered + m.abandonedAfterThreshold, 4);
  m.asaSeconds = ratio(m.answeredWaitSeconds, m.answered, 1);
  m.abandonRate = ratio(m.abandoned - m.shortAbandoned, m.answered + m.abandoned - m.shortAbandoned, 4);
  m.ahtSeconds = ratio(m.talkSeconds + m.holdSeconds + m.wrapUpSeconds, m.handled, 1);
  m.occupancy = occupancyOf(m.agentSeconds);
  return m;
};

const deriveAgent = <T extends AgentMetrics>(m: T): T => {
  const s = m.stateSeconds;
  m.loggedInSeconds = round(s.idle + s.ringing + s.onCall + s.wrapUp + s.break, 3);
  m.ahtSeconds = ratio(m.talkSeconds + m.holdSeconds + m.wrapUpSeconds, m.handled, 1);
  m.occupancy = occupancyOf(s);
  return m;
};

const addSeconds = (s: StateSeconds, state: Exclude<TimeState, 'offline'>, seconds: number): void => {
  s[state] = round(s[state] + seconds, 3);
};

////////////////////////////////////////// Staging changes to interval and day documents

const slotAt = (ms: number, config: CenterConfig, queueId: string | null = null): ReportSlot => ({
  intervalStart: toIso(intervalStartMs(ms)),
  date: localDate(ms, config.timezone),
  queueId,
});

class ReportChanges {
  constructor(
    readonly changes: EventChanges,
    readonly config: CenterConfig,
  ) {}

  /** Changes the queue's interval and day documents of `slot` in place. */
  queue(queueId: string, slot: ReportSlot, change: (m: QueueMetrics) => void): void {
    const intervalId = `${queueId}|${slot.intervalStart}`;
    const dayId = `${queueId}|${slot.date}`;
    this.changes.change<QueueIntervalDoc>(REPORT_COLLECTIONS.queueIntervals, intervalId, (doc) => {
      const current = doc ?? { _id: intervalId, queueId, intervalStart: slot.intervalStart, intervalEnd: toIso(toMs(slot.intervalStart) + INTERVAL_MS), date: slot.date, ...emptyQueueMetrics() };
      change(current);
      return deriveQueue(current);
    });
    this.changes.change<QueueDayDoc>(REPORT_COLLECTIONS.queueDays, dayId, (doc) => {
      const current = doc ?? { _id: dayId, queueId, date: slot.date, ...emptyQueueMetrics() };
      change(current);
      return deriveQueue(current);
    });
  }

  /** Changes the agent's interval and day documents of `slot` in place. */
  agent(agentId: string, slot: ReportSlot, change: (m: AgentMetrics) => void): void {
    const intervalId = `${agentId}|${slot.intervalStart}`;
    const dayId = `${agentId}|${slot.date}`;
    this.changes.change<AgentIntervalDoc>(REPORT_COLLECTIONS.agentIntervals, intervalId, (doc) => {
      const current = doc ?? { _id: intervalId, agentId, intervalStart: slot.intervalStart, intervalEnd: toIso(toMs(slot.intervalStart) + INTERVAL_MS), date: slot.date, ...emptyAgentMetrics() };
      change(current);
      return deriveAgent(current);
    });
    this.changes.change<AgentDayDoc>(REPORT_COLLECTIONS.agentDays, dayId, (doc) => {
      const current = doc ?? { _id: dayId, agentId, date: slot.date, ...emptyAgentMetrics() };
      change(current);
      return deriveAgent(current);
    });
  }

  /** Credits [fromMs, toMs) of `state` to the agent and to every queue the agent serves, split at interval boundaries. */
  creditTime(agentId: string, state: TimeState, fromMs: number, toMsValue: number): void {
    if (state === 'offline' || !(toMsValue > fromMs)) return;
    const queues = this.config.servedBy[agentId] ?? [];
    for (let start = intervalStartMs(fromMs); start < toMsValue; start += INTERVAL_MS) {
      const seconds = (Math.min(toMsValue, start + INTERVAL_MS) - Math.max(fromMs, start)) / 1000;
      const slot = slotAt(start, this.config);
      this.agent(agentId, slot, (m) => addSeconds(m.stateSeconds, state, seconds));
      for (const queueId of queues) this.queue(queueId, slot, (m) => addSeconds(m.agentSeconds, state, seconds));
    }
  }
}

////////////////////////////////////////// Call events

const EXIT_FIELD: Record<Exclude<LeftQueueReason, 'answered' | 'abandoned'>, keyof QueueMetrics['exits']> = {
  overflow: 'overflow',
  voicemail: 'voicemail',
  'max-wait': 'maxWait',
  transfer: 'transfer',
  'callback-failed': 'callbackFailed',
  'hung-up': 'hungUp',
};

const OFFERED_FIELD: Record<string, keyof QueueMetrics['offeredBy']> = { ivr: 'ivr', 'ivr-default': 'ivrDefault', callback: 'callback', overflow: 'overflow', transfer: 'transfer' };

const closeHold = (hold: ReportAgentDoc['hold'], at: string): ReportAgentDoc['hold'] =>
  hold && hold.heldSince !== null ? { ...hold, heldSince: null, seconds: hold.seconds + secondsFrom(toMs(hold.heldSince), toMs(at)) } : hold;

const emptyAgentDoc = (agentId: string): ReportAgentDoc => ({
  _id: agentId,
  agentId,
  presence: OFFLINE_PRESENCE,
  since: null,
  connection: null,
  callStart: null,
  hold: null,
  lastEnded: null,
});

const applyCallEvent = (r: ReportChanges, event: CallEvent): void => {
  const changeAgent = (agentId: string, change: (doc: ReportAgentDoc) => ReportAgentDoc): void =>
    r.changes.change<ReportAgentDoc>(REPORT_COLLECTIONS.agents, agentId, (doc) => change(doc ?? emptyAgentDoc(agentId)));
  switch (event.type) {
    case 'CallQueued': {
      const d = event.data;
      const field = OFFERED_FIELD[d.reason];
      r.queue(d.queueId, slotAt(toMs(d.occurredAt), r.config), (m) => {
        m.offered += 1;
        if (field) m.offeredBy[field] += 1;
      });
      return;
    }
    case 'CallLeftQueue': {
      const d = event.data;
      const threshold = r.config.queues[d.queueId]?.serviceLevelThresholdSeconds ?? DEFAULT_SERVICE_LEVEL_THRESHOLD_SECONDS;
      const waited = d.waitedSeconds;
      r.queue(d.queueId, slotAt(toMs(d.occurredAt), r.config), (m) => {
        m.serviceLevelThresholdSeconds = threshold;
        m.longestWaitSeconds = Math.max(m.longestWaitSeconds, waited);
        if (d.reason === 'answered') {
          m.answered += 1;
          if (waited <= threshold) m.answeredWithinThreshold += 1;
          m.answeredWaitSeconds += waited;
        } else if (d.reason === 'abandoned') {
          m.abandoned += 1;
          if (waited < SHORT_ABANDON_SECONDS) m.shortAbandoned += 1;
          if (waited > threshold) m.abandonedAfterThreshold += 1;
        } else {
          m.exits[EXIT_FIELD[d.reason]] += 1;
        }
      });
      return;
    }
    case 'CallOffered': {
      const slot = slotAt(toMs(event.data.occurredAt), r.config);
      for (const { agentId } of event.data.agents) {
        r.agent(agentId, slot, (m) => {
          m.offers += 1;
        });
      }
      return;
    }
    case 'OfferAccepted':
    case 'OfferMissed':
    case 'OfferRejected': {
      const field = event.type === 'OfferAccepted' ? 'accepted' : event.type === 'OfferMissed' ? 'missed' : 'rejected';
      r.agent(event.data.agentId, slotAt(toMs(event.data.occurredAt), r.config), (m) => {
        m[field] += 1;
      });
      return;
    }
    case 'AgentConnected': {
      const d = event.data;
      changeAgent(d.agentId, (doc) => ({ ...doc, connection: { callId: d.callId, queueId: d.queueId, via: d.via } }));
      return;
    }
    case 'CallHeld': {
      const d = event.data;
      changeAgent(d.agentId, (doc) => {
        const hold = doc.hold?.callId === d.callId ? doc.hold : { callId: d.callId, heldSince: null, seconds: 0 };
        return hold.heldSince === null ? { ...doc, hold: { ...hold, heldSince: d.occurredAt } } : doc;
      });
      return;
    }
    case 'CallUnheld':
    case 'AgentDisconnected': {
      const d = event.data;
      changeAgent(d.agentId, (doc) => (doc.hold?.callId === d.callId && doc.hold.heldSince !== null ? { ...doc, hold: closeHold(doc.hold, d.occurredAt) } : doc));
      return;
    }
    default:
      return;
  }
};

////////////////////////////////////////// Agent events

const applyAgentEvent = (r: ReportChanges, before: ReportAgentDoc, event: AgentEvent): ReportAgentDoc => {
  const at = event.data.occurredAt;
  const nowMs = toMs(at);
  const presence = presenceAfter(before.presence, event);
  let doc: ReportAgentDoc = { ...before, presence };
  const stateBefore = timeStateOf(before.presence);
  if (stateBefore !== timeStateOf(presence)) {
    if (before.since !== null) r.creditTime(before.agentId, stateBefore, toMs(before.since), nowMs);
    doc = { ...doc, since: before.since !== null && before.since > at ? before.since : at };
  }
  switch (event.type) {
    case 'AgentCallStarted':
      return { ...doc, callStart: { callId: event.data.callId, direction: event.data.direction }, hold: { callId: event.data.callId, heldSince: null, seconds: 0 } };
    case 'AgentCallEnded': {
      const d = event.data;
      const connection = doc.connection?.callId === d.callId ? doc.connection : null;
      const queueId = connection && connection.via !== 'outbound' ? connection.queueId : null;
      const hold = doc.hold?.callId === d.callId ? closeHold(doc.hold, at) : null;
      const holdSeconds = Math.min(hold?.seconds ?? 0, d.talkSeconds);
      const talkSeconds = d.talkSeconds - holdSeconds;
      const direction = doc.callStart?.callId === d.callId ? doc.callStart.direction : 'inbound';
      const slot = slotAt(nowMs, r.config, queueId);
      r.agent(d.agentId, slot, (m) => {
        m.handled += 1;
        m[direction] += 1;
        m.talkSeconds += talkSeconds;
        m.holdSeconds += holdSeconds;
      });
      if (queueId !== null) {
        r.queue(queueId, slot, (m) => {
          m.handled += 1;
          m.talkSeconds += talkSeconds;
          m.holdSeconds += holdSeconds;
        });
      }
      return { ...doc, hold: null, callStart: null, lastEnded: { callId: d.callId, ...slot } };
    }
    case 'AgentWrapUpCompleted': {
      const d = event.data;
      const slot = doc.lastEnded?.callId === d.callId ? doc.lastEnded : slotAt(nowMs, r.config);
      const add = (m: { wrapUpSeconds: number }): void => {
        m.wrapUpSeconds += d.wrapUpSeconds;
      };
      r.agent(d.agentId, slot, add);
      if (slot.queueId !== null) r.queue(slot.queueId, slot, add);
      return doc;
    }
    default:
      return doc;
  }
};

////////////////////////////////////////// The projection

const CALL_TYPES = ['CallQueued', 'CallLeftQueue', 'CallOffered', 'OfferAccepted', 'OfferMissed', 'OfferRejected', 'AgentConnected', 'AgentDisconnected', 'CallHeld', 'CallUnheld'];

export const reportsProjection = (): Projection =>
  defineProjection({
    name: REPORTS_PROJECTION,
    version: 1,
    collections: [
      { name: REPORT_COLLECTIONS.queueIntervals, indexes: [{ fields: ['queueId', 'intervalStart', '_id'] }, { fields: ['intervalStart', '_id'] }] },
      { name: REPORT_COLLECTIONS.queueDays, indexes: [{ fields: ['queueId', 'date', '_id'] }, { fields: ['date', '_id'] }] },
      { name: REPORT_COLLECTIONS.agentIntervals, indexes: [{ fields: ['agentId', 'intervalStart', '_id'] }, { fields: ['intervalStart', '_id'] }] },
      { name: REPORT_COLLECTIONS.agentDays, indexes: [{ fields: ['agentId', 'date', '_id'] }, { fields: ['date', '_id'] }] },
      { name: REPORT_COLLECTIONS.agents },
      { name: REPORT_COLLECTIONS.center },
    ],
    filter: { streamPrefixes: ['call-', 'agent-', 'config-'], eventTypePrefixes: ['Agent', ...CALL_TYPES, ...CENTER_CONFIG_EVENT_TYPES] },
    async apply({ event, get, update }) {
      const domain = domainEventOf(event);
      if (domain.stream === 'other') return;
      const center = (await get<CenterConfigDoc>(REPORT_COLLECTIONS.center, CENTER_CONFIG_ID)) ?? { _id: CENTER_CONFIG_ID, ...emptyCenterConfig() };
      const changes = new EventChanges();
      if (domain.stream === 'config') {
        const { _id, _position, ...config } = center;
        const next = evolveCenterConfig(config, domain.event);
        if (next === config) return;
        changes.change<CenterConfigDoc>(REPORT_COLLECTIONS.center, CENTER_CONFIG_ID, () => ({ _id, ...next }));
        await changes.commit({ update });
        return;
      }
      const r = new ReportChanges(changes, center);
      if (domain.stream === 'call') {
        applyCallEvent(r, domain.event);
      } else {
        const e = domain.event;
        const before = (await get<ReportAgentDoc>(REPORT_COLLECTIONS.agents, e.data.agentId)) ?? emptyAgentDoc(e.data.agentId);
        const after = applyAgentEvent(r, before, e);
        changes.change<ReportAgentDoc>(REPORT_COLLECTIONS.agents, e.data.agentId, () => after);
      }
      await changes.commit({ update });
    },
  });

import type { CallEvent } from '../../api/calls/callEvents';
import { estimatedWaitSeconds } from '../../api/routing/ewt';
import { defineProjection, type Projection } from '../runner/projection';
import { CENTER_CONFIG_EVENT_TYPES, CENTER_CONFIG_ID, emptyCenterConfig, evolveCenterConfig, type CenterConfig } from '../shared/centerConfig';
import { OFFLINE_PRESENCE as OFFLINE, presenceAfter, timeStateOf, type AgentPresence } from '../shared/agentPresence';
import { domainEventOf, EventChanges } from '../shared/events';
import { laterIso, round, secondsFrom, toMs } from '../shared/time';
import type { QueueAgentCounters, QueueCallDoc, QueueCenterDoc, QueueViewDoc, WaitingCallView } from './queueView';

export const QUEUE_PROJECTION = 'queue';
export const QUEUE_COLLECTIONS = { queues: 'queues', calls: 'calls', center: 'center' } as const;

/** Handle time assumed for a queue before any of its calls has been handled. */
export const DEFAULT_AHT_SECONDS = 180;
/** Weight of the newest handled call in the queue's moving-average handle time. */
const AHT_WEIGHT = 0.1;

const CALL_TYPES = [
  'InboundCallStarted',
  'OutboundCallStarted',
  'CallerIdentified',
  'CallQueued',
  'CallLeftQueue',
  'CallbackRequested',
  'CallOffered',
  'CallReturnedToQueue',
  'OfferRejected',
  'OfferMissed',
  'OfferCancelled',
  'RoutingDecisionMade',
  'QueuePositionAnnounced',
  'AgentConnected',
  'AgentDisconnected',
  'CallEnded',
];
const AGENT_TYPES = [
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
];

////////////////////////////////////////// Agents

type Bucket = 'available' | 'ringing' | 'onCall' | 'wrapUp' | 'break' | 'offline';

const bucketOf = (p: AgentPresence): Bucket => {
  const state = timeStateOf(p);
  return state === 'idle' ? 'available' : state;
};

const countersFor = (center: QueueCenterDoc, queueId: string): QueueAgentCounters => {
  const counters: QueueAgentCounters = { serving: 0, loggedIn: 0, available: 0, ready: 0, ringing: 0, onCall: 0, wrapUp: 0, break: 0, offline: 0 };
  for (const agentId of center.config.serving[queueId] ?? []) {
    const presence = center.agents[agentId] ?? OFFLINE;
    const bucket = bucketOf(presence);
    counters.serving++;
    counters[bucket]++;
    if (presence.status !== 'Offline') counters.loggedIn++;
    if (bucket === 'available' && presence.registered) counters.ready++;
  }
  return counters;
};

/** Agents counted for estimated waits: logged-in agents with status Available, whatever they are doing (routingView.agentsServing). */
const agentsServingFor = (center: QueueCenterDoc, queueId: string): number =>
  (center.config.serving[queueId] ?? []).filter((agentId) => center.agents[agentId]?.status === 'Available').length;

////////////////////////////////////////// Queue documents

const emptyQueue = (queueId: string): QueueViewDoc => ({
  _id: queueId,
  queueId,
  configured: false,
  name: null,
  strategy: null,
  priority: null,
  serviceLevelThresholdSeconds: null,
  calls: [],
  waiting: 0,
  ringing: 0,
  callbacks: 0,
  longestWaitSeconds: 0,
  oldestEnqueuedAt: null,
  agents: { serving: 0, loggedIn: 0, available: 0, ready: 0, ringing: 0, onCall: 0, wrapUp: 0, break: 0, offline: 0 },
  ahtSeconds: DEFAULT_AHT_SECONDS,
  ahtSamples: 0,
  asOf: null,
});

const withSettings = (doc: QueueViewDoc, config: CenterConfig): QueueViewDoc => {
  const q = config.queues[doc.queueId];
  return q
    ? { ...doc, configured: true, name: q.name, strategy: q.strategy, priority: q.priority, serviceLevelThresholdSeconds: q.serviceLevelThresholdSeconds }
    : { ...doc, configured: false };
};

const byRoutingOrder = (a: WaitingCallView, b: WaitingCallView): number =>
  b.priority - a.priority || (a.enqueuedAt < b.enqueuedAt ? -1 : a.enqueuedAt > b.enqueuedAt ? 1 : 0) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);

const enqueuedMs = new Map<string, number>();
/** Date.parse of an enqueue time, remembered: every refresh reads the enqueue time of every waiting call. */
const msOf = (iso: string): number => {
  let ms = enqueuedMs.get(iso);
  if (ms === undefined) {
    if (enqueuedMs.size >= 100_000) enqueuedMs.clear();
    enqueuedMs.set(iso, (ms = toMs(iso)));
  }
  return ms;
};

/** Recomputes positions, waits as of `asOf`, estimated waits and the totals, in place. */
export const refreshQueue = (doc: QueueViewDoc, asOf: string | null, agentsServing: number): QueueViewDoc => {
  const nowMs = asOf === null ? Number.NaN : toMs(asOf);
  const calls = doc.calls.sort(byRoutingOrder);
  let waiting = 0;
  let ringing = 0;
  let callbacks = 0;
  let longestWaitSeconds = 0;
  let oldestEnqueuedAt: string | null = null;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    call.position = i + 1;
    call.waitedSeconds = Number.isNaN(nowMs) ? 0 : secondsFrom(msOf(call.enqueuedAt), nowMs);
    call.estimatedWaitSeconds = estimatedWaitSeconds({ position: call.position, ahtSeconds: doc.ahtSeconds, agentsServing });
    if (call.state === 'ringing') ringing++;
    if (call.kind === 'callback') {
      callbacks++;
      continue;
    }
    waiting++;
    if (call.waitedSeconds > longestWaitSeconds) longestWaitSeconds = call.waitedSeconds;
    if (oldestEnqueuedAt === null || call.enqueuedAt < oldestEnqueuedAt) oldestEnqueuedAt = call.enqueuedAt;
  }
  Object.assign(doc, { waiting, ringing, callbacks, longestWaitSeconds, oldestEnqueuedAt, asOf });
  return doc;
};

const mapCall = (doc: QueueViewDoc, callId: string, entryId: string | null, change: (call: WaitingCallView) => WaitingCallView): QueueViewDoc => ({
  ...doc,
  calls: doc.calls.map((call) => (call.callId === callId && (entryId === null || call.entryId === entryId) ? change(call) : call)),
});

const withoutCall = (doc: QueueViewDoc, callId: string, entryId: string | null): QueueViewDoc => ({
  ...doc,
  calls: doc.calls.filter((call) => !(call.callId === callId && (entryId === null || call.entryId === entryId))),
});

const withoutOfferedAgent = (call: WaitingCallView, offerId: string, agentId: string): WaitingCallView => {
  if (!call.offer || call.offer.offerId !== offerId) return call;
  const agentIds = call.offer.agentIds.filter((id) => id !== agentId);
  return agentIds.length > 0 ? { ...call, offer: { ...call.offer, agentIds } } : { ...call, offer: null, state: 'waiting' };
};

////////////////////////////////////////// The projection

export const queueProjection = (): Projection =>
  defineProjection({
    name: QUEUE_PROJECTION,
    version: 2,
    collections: [{ name: QUEUE_COLLECTIONS.queues }, { name: QUEUE_COLLECTIONS.calls }, { name: QUEUE_COLLECTIONS.center }],
    filter: { streamPrefixes: ['call-', 'agent-', 'config-'], eventTypePrefixes: [...CALL_TYPES, ...AGENT_TYPES, ...CENTER_CONFIG_EVENT_TYPES] },
    async apply({ event, get, update }) {
      const domain = domainEventOf(event);
      if (domain.stream === 'other') return;
      const at = (event.data as { occurredAt: string }).occurredAt;
      const changes = new EventChanges();
      const center = (await get<QueueCenterDoc>(QUEUE_COLLECTIONS.center, CENTER_CONFIG_ID)) ?? {
        _id: CENTER_CONFIG_ID,
        config: emptyCenterConfig(),
        agents: {},
        queueIds: [],
      };

      /** Stages a change of a queue view, then refreshes its positions, waits and counters. */
      const changeQueue = (queueId: string, centerAfter: QueueCenterDoc, change: (doc: QueueViewDoc) => QueueViewDoc): void => {
        changes.change<QueueViewDoc>(QUEUE_COLLECTIONS.queues, queueId, (current) => {
          const changed = change(current ?? withSettings(emptyQueue(queueId), centerAfter.config));
          changed.agents = countersFor(centerAfter, queueId);
          return refreshQueue(changed, laterIso(changed.asOf, at), agentsServingFor(centerAfter, queueId));
        });
      };
      /** What an agent doing something else changes: the counters only (waits stay as of the queue's last call event). */
      const changeCounters = (queueId: string, centerAfter: QueueCenterDoc): void => {
        changes.change<QueueViewDoc>(QUEUE_COLLECTIONS.queues, queueId, (current) => {
          const doc = current ?? refreshQueue(withSettings(emptyQueue(queueId), centerAfter.config), null, 0);
          doc.agents = countersFor(centerAfter, queueId);
          return doc;
        });
      };

      if (domain.stream === 'config') {
        const config = evolveCenterConfig(center.config, domain.event);
        if (config === center.config) return;
        const queueIds = [...new Set([...center.queueIds, ...Object.keys(config.queues)])].sort();
        const next: QueueCenterDoc = { ...center, config, queueIds };
        changes.change<QueueCenterDoc>(QUEUE_COLLECTIONS.center, CENTER_CONFIG_ID, () => next);
        for (const queueId of queueIds) changeQueue(queueId, next, (doc) => withSettings(doc, config));
        await changes.commit({ update });
        return;
      }

      if (domain.stream === 'agent') {
        const agentId = domain.event.data.agentId;
        const before = center.agents[agentId] ?? OFFLINE;
        const after = presenceAfter(before, domain.event);
        // Changed in place (two hundred agents are too many to copy per event); the queues' counters are
        // computed after it, at commit, from the same object.
        changes.change<QueueCenterDoc>(QUEUE_COLLECTIONS.center, CENTER_CONFIG_ID, (doc) => {
          const target = doc ?? center;
          target.agents[agentId] = after;
          return target;
        });
        // A status change also changes the estimated waits (they count the agents available for the queue).
        const statusChanged = before.status !== after.status;
        const countersChanged = statusChanged || bucketOf(before) !== bucketOf(after) || before.registered !== after.registered;
        for (const queueId of countersChanged ? (center.config.servedBy[agentId] ?? []) : []) {
          if (statusChanged) changeQueue(queueId, center, (doc) => doc);
          else changeCounters(queueId, center);
        }
        await changes.commit({ update });
        return;
      }

      const call: CallEvent = domain.event;
      const callId = domain.callId;
      switch (call.type) {
        case 'InboundCallStarted':
        case 'OutboundCallStarted': {
          // An agent's outbound call waits in a queue only after a transfer: its party is the number dialled.
          const inbound = call.type === 'InboundCallStarted';
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) => ({
            _id: callId,
            callId,
            callerNumber: (inbound ? call.data.from : call.data.destination) || null,
            callerName: inbound ? call.data.callerName : null,
            queueId: doc?.queueId ?? null,
            connections: doc?.connections ?? {},
          }));
          break;
        }
        case 'CallerIdentified': {
          const name = call.data.contact?.name ?? null;
          if (name === null) break;
          const callDoc = await get<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId);
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) => (doc ? { ...doc, callerName: name } : doc));
          if (callDoc?.queueId) changeQueue(callDoc.queueId, center, (doc) => mapCall(doc, callId, null, (c) => ({ ...c, caller: { ...c.caller, name } })));
          break;
        }
        case 'CallQueued': {
          const d = call.data;
          const callDoc = await get<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId);
          const centerAfter = center.queueIds.includes(d.queueId) ? center : { ...center, queueIds: [...center.queueIds, d.queueId].sort() };
          if (centerAfter !== center) changes.change<QueueCenterDoc>(QUEUE_COLLECTIONS.center, CENTER_CONFIG_ID, () => centerAfter);
          if (callDoc?.queueId && callDoc.queueId !== d.queueId) changeQueue(callDoc.queueId, centerAfter, (doc) => withoutCall(doc, callId, null));
          const entry: WaitingCallView = {
            callId,
            entryId: d.entryId,
            position: 0,
            kind: d.kind,
            state: 'waiting',
            priority: d.priority,
            enqueuedAt: d.enqueuedAt,
            queueEnteredAt: d.queueEnteredAt,
            waitedSeconds: 0,
            estimatedWaitSeconds: 0,
            reason: d.reason,
            fromQueueId: d.fromQueueId,
            targetAgentId: d.targetAgentId,
            callbackNumber: d.callbackNumber,
            attributes: { language: d.attributes.language ?? null, department: d.attributes.department ?? null, skills: d.attributes.skills ?? [] },
            caller: { number: callDoc?.callerNumber ?? null, name: callDoc?.callerName ?? null },
            waitingReason: null,
            offer: null,
            lastAnnouncement: null,
          };
          changeQueue(d.queueId, centerAfter, (doc) => ({ ...doc, calls: [...withoutCall(doc, callId, null).calls, entry] }));
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) => ({
            _id: callId,
            callId,
            callerNumber: doc?.callerNumber ?? null,
            callerName: doc?.callerName ?? null,
            connections: doc?.connections ?? {},
            queueId: d.queueId,
          }));
          break;
        }
        case 'CallLeftQueue': {
          const d = call.data;
          changeQueue(d.queueId, center, (doc) => withoutCall(doc, callId, d.entryId));
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) => (doc && doc.queueId === d.queueId ? { ...doc, queueId: null } : doc));
          break;
        }
        case 'CallbackRequested': {
          const d = call.data;
          changeQueue(d.queueId, center, (doc) => mapCall(doc, callId, d.entryId, (c) => ({ ...c, kind: 'callback', callbackNumber: d.number, state: 'waiting', offer: null })));
          break;
        }
        case 'CallOffered': {
          const d = call.data;
          if (d.purpose === 'consult' || d.entryId === null || d.queueId === null) break;
          const entryId = d.entryId;
          const offer = { offerId: d.offerId, agentIds: d.agents.map((a) => a.agentId), offeredAt: d.occurredAt, expiresAt: d.expiresAt };
          changeQueue(d.queueId, center, (doc) => mapCall(doc, callId, entryId, (c) => ({ ...c, state: 'ringing', offer, waitingReason: null })));
          break;
        }
        case 'CallReturnedToQueue': {
          const d = call.data;
          changeQueue(d.queueId, center, (doc) => mapCall(doc, callId, d.entryId, (c) => ({ ...c, state: 'waiting', offer: null, targetAgentId: null })));
          break;
        }
        case 'OfferRejected':
        case 'OfferMissed':
        case 'OfferCancelled': {
          const { offerId, agentId } = call.data;
          const callDoc = await get<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId);
          if (callDoc?.queueId) changeQueue(callDoc.queueId, center, (doc) => mapCall(doc, callId, null, (c) => withoutOfferedAgent(c, offerId, agentId)));
          break;
        }
        case 'RoutingDecisionMade': {
          const d = call.data;
          const waitingReason = d.chosen.length > 0 ? null : (d.waitingReason ?? null);
          changeQueue(d.queueId, center, (doc) => mapCall(doc, callId, d.entryId, (c) => ({ ...c, waitingReason })));
          break;
        }
        case 'QueuePositionAnnounced': {
          const d = call.data;
          changeQueue(d.queueId, center, (doc) => mapCall(doc, callId, null, (c) => ({ ...c, lastAnnouncement: { position: d.position, ewtSeconds: d.ewtSeconds, at: d.occurredAt } })));
          break;
        }
        case 'AgentConnected': {
          const d = call.data;
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) =>
            doc ? { ...doc, connections: { ...doc.connections, [d.agentId]: { at: d.occurredAt, queueId: d.queueId, via: d.via } } } : doc,
          );
          break;
        }
        case 'AgentDisconnected': {
          const d = call.data;
          const callDoc = await get<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId);
          const connection = callDoc?.connections[d.agentId];
          if (!connection) break;
          const { [d.agentId]: _ended, ...connections } = callDoc.connections;
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, (doc) => (doc ? { ...doc, connections } : doc));
          if (connection.queueId === null || connection.via === 'outbound') break;
          const sample = secondsFrom(toMs(connection.at), toMs(d.occurredAt)) + (center.config.agents[d.agentId]?.wrapUpSeconds ?? 0);
          changeQueue(connection.queueId, center, (doc) => {
            const ahtSeconds = doc.ahtSamples === 0 ? sample : round(doc.ahtSeconds + AHT_WEIGHT * (sample - doc.ahtSeconds), 1);
            return { ...doc, ahtSeconds, ahtSamples: doc.ahtSamples + 1 };
          });
          break;
        }
        case 'CallEnded': {
          const callDoc = await get<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId);
          if (callDoc?.queueId) changeQueue(callDoc.queueId, center, (doc) => withoutCall(doc, callId, null));
          changes.change<QueueCallDoc>(QUEUE_COLLECTIONS.calls, callId, () => null);
          break;
        }
        default:
          return;
      }
      await changes.commit({ update });
    },
  });

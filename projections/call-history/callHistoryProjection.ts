import type { CallEvent, CallOutcome, RoutingDecisionMade } from '../../api/calls/callEvents';
import type { TelnyxWebhookData } from '../../api/calls/webhook';
import type { RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import { defineProjection, type Projection } from '../runner/projection';
import { clientStateOf, webhookOwner } from '../shared/clientState';
import { domainEventOf, EventChanges } from '../shared/events';
import { laterIso, secondsFrom, toMs } from '../shared/time';
import type { CallAgentDoc, CallHistoryDoc, CallLegView, ConnectionView, DecisionView, HistoryOutcome, OfferView, TimelineEntry } from './callHistoryView';
import { timelineSummary } from './timelineSummary';

export const CALL_HISTORY_PROJECTION = 'call-history';
export const CALL_HISTORY_COLLECTIONS = { calls: 'calls', callAgents: 'callAgents' } as const;

/** Candidates kept in full per routing decision (chosen first, then eligible); the rest are counted by reason. */
const DECISION_CANDIDATES_KEPT = 10;

export const historyOutcomeOf = (outcome: CallOutcome, hadCallback: boolean): HistoryOutcome => {
  switch (outcome) {
    case 'completed':
      return hadCallback ? 'callback' : 'answered';
    case 'abandoned':
    case 'abandoned-in-ivr':
      return 'abandoned';
    case 'voicemail':
      return 'voicemail';
    case 'after-hours':
      return 'after-hours';
    case 'max-wait':
      return 'max-wait';
    case 'transferred':
      return 'transferred';
    case 'callback-failed':
      return 'callback';
    case 'outbound-completed':
    case 'outbound-failed':
    case 'outbound-refused':
      return 'outbound';
    case 'ended-in-ivr':
      return 'ended-in-ivr';
    case 'rejected':
      return 'rejected';
    default: {
      const _exhaustive: never = outcome;
      return 'in-progress';
    }
  }
};

export const emptyCallHistory = (callId: string): CallHistoryDoc => ({
  _id: callId,
  callId,
  direction: null,
  status: 'in-progress',
  startedAt: null,
  answeredAt: null,
  endedAt: null,
  durationSeconds: null,
  from: null,
  to: null,
  callerNumber: null,
  caller: { name: null, contact: null, previousCalls: 0 },
  outcome: 'in-progress',
  endOutcome: null,
  closingReason: null,
  hangupCause: null,
  hangupSource: null,
  afterHours: null,
  ivr: { entryMenuId: null, language: null, startedAt: null, endedAt: null, selections: [], rejectedInputs: 0 },
  attributes: { language: null, department: null, skills: [], priority: null },
  queueId: null,
  queues: [],
  callback: null,
  offers: [],
  agentsOffered: [],
  answeredBy: null,
  agentId: null,
  agentIds: [],
  connections: [],
  decisions: [],
  transfers: [],
  durations: { ivrSeconds: null, waitSeconds: null, talkSeconds: 0, holdSeconds: 0, wrapUpSeconds: 0 },
  recordings: [],
  voicemail: null,
  voicemailAt: null,
  transcript: [],
  dispositions: [],
  supervision: [],
  legs: [],
  timeline: [],
  lastEventAt: null,
});

////////////////////////////////////////// Legs (folded like the call state: status only moves forward)

const LEG_RANK: Record<CallLegView['status'], number> = { initiated: 0, answered: 1, bridged: 2, ended: 3 };
const LEG_STATUS: Record<string, CallLegView['status'] | undefined> = {
  'call.initiated': 'initiated',
  'call.answered': 'answered',
  'call.bridged': 'bridged',
  'call.hangup': 'ended',
};

const earlier = (a: string | null, b: string): string => (a === null || b < a ? b : a);

const foldLeg = (legs: CallLegView[], w: TelnyxWebhookData): CallLegView[] => {
  const callControlId = w.callControlId ?? w.payload.call_control_id ?? null;
  if (!callControlId) return legs;
  const index = legs.findIndex((l) => l.callControlId === callControlId);
  const state = clientStateOf(w);
  const leg: CallLegView =
    index >= 0
      ? legs[index]
      : {
          callControlId,
          callLegId: null,
          role: state?.role ?? (w.eventType === 'call.initiated' && w.payload.direction === 'outgoing' ? 'agent' : 'customer'),
          agentId: state?.agentId ?? null,
          status: 'initiated',
          initiatedAt: null,
          answeredAt: null,
          endedAt: null,
          hangupCause: null,
          hangupSource: null,
          lastEventAt: w.occurredAt,
        };
  const status = LEG_STATUS[w.eventType];
  const next: CallLegView = {
    ...leg,
    callLegId: leg.callLegId ?? w.callLegId ?? w.payload.call_leg_id ?? null,
    agentId: leg.agentId ?? state?.agentId ?? null,
    lastEventAt: laterIso(leg.lastEventAt, w.occurredAt),
    ...(status && LEG_RANK[status] > LEG_RANK[leg.status] ? { status } : {}),
    ...(status === 'initiated' ? { initiatedAt: earlier(leg.initiatedAt, w.occurredAt) } : {}),
    ...(status === 'answered' ? { answeredAt: earlier(leg.answeredAt, w.occurredAt) } : {}),
    ...(status === 'ended' ? { endedAt: w.occurredAt, hangupCause: w.payload.hangup_cause ?? null, hangupSource: w.payload.hangup_source ?? null } : {}),
  };
  return index >= 0 ? legs.map((l, i) => (i === index ? next : l)) : [...legs, next];
};

////////////////////////////////////////// Helpers

const decisionView = (position: bigint, d: RoutingDecisionMade['data']): DecisionView => {
  const kept = [...d.candidates.filter((c) => c.chosen), ...d.candidates.filter((c) => c.eligible && !c.chosen)].slice(0, DECISION_CANDIDATES_KEPT);
  const counts = new Map<string, number>();
  for (const c of d.candidates) {
    if (c.eligible) continue;
    const reason = c.reasons.join('; ');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return {
    decisionId: d.decisionId,
    position: position.toString(),
    at: d.occurredAt,
    queueId: d.queueId,
    strategy: d.strategy,
    rank: d.rank,
    priority: d.priority,
    waitedSeconds: d.waitedSeconds,
    chosen: d.chosen,
    waitingReason: d.waitingReason ?? null,
    considered: d.candidates.length,
    eligible: d.candidates.filter((c) => c.eligible).length,
    candidates: kept.map((c) => ({ agentId: c.agentId, eligible: c.eligible, chosen: c.chosen, reasons: c.reasons, idleSince: c.idleSince, score: c.score })),
    ineligibleReasons: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([reason, count]) => ({ reason, count })),
  };
};

const mapOfferAgent = (offers: OfferView[], offerId: string, agentId: string, outcome: OfferView['agents'][number]['outcome'], reason: string | null, at: string): OfferView[] =>
  offers.map((o) => (o.offerId === offerId ? { ...o, agents: o.agents.map((a) => (a.agentId === agentId ? { ...a, outcome, reason, at } : a)) } : o));

const closeHold = (c: ConnectionView, at: string): ConnectionView =>
  c.heldSince === null ? c : { ...c, heldSince: null, holdSeconds: c.holdSeconds + secondsFrom(toMs(c.heldSince), toMs(at)) };

const closeConnection = (c: ConnectionView, at: string, reason: string): ConnectionView => {
  if (c.disconnectedAt !== null) return c;
  const held = closeHold(c, at);
  return { ...held, disconnectedAt: at, reason, talkSeconds: Math.max(0, secondsFrom(toMs(c.connectedAt), toMs(at)) - held.holdSeconds) };
};

const withDurations = (doc: CallHistoryDoc): CallHistoryDoc => ({
  ...doc,
  durations: {
    ...doc.durations,
    talkSeconds: doc.connections.reduce((sum, c) => sum + (c.talkSeconds ?? 0), 0),
    holdSeconds: doc.connections.reduce((sum, c) => sum + c.holdSeconds, 0),
  },
});

const endIvr = (doc: CallHistoryDoc, at: string): CallHistoryDoc =>
  doc.ivr.startedAt !== null && doc.ivr.endedAt === null
    ? { ...doc, ivr: { ...doc.ivr, endedAt: at }, durations: { ...doc.durations, ivrSeconds: secondsFrom(toMs(doc.ivr.startedAt), toMs(at)) } }
    : doc;

////////////////////////////////////////// Domain events

const applyDomainEvent = (doc: CallHistoryDoc, event: CallEvent, position: bigint): CallHistoryDoc => {
  switch (event.type) {
    case 'TelnyxWebhookReceived':
    case 'TelnyxWebhookLinked':
      return { ...doc, legs: foldLeg(doc.legs, event.data) };
    case 'InboundCallStarted': {
      const d = event.data;
      return { ...doc, direction: 'inbound', startedAt: d.occurredAt, from: d.from, to: d.to, callerNumber: d.from, caller: { ...doc.caller, name: doc.caller.name ?? d.callerName }, ivr: { ...doc.ivr, entryMenuId: d.entryMenuId } };
    }
    case 'OutboundCallStarted':
    case 'OutboundCallRefused': {
      const d = event.data;
      return {
        ...doc,
        direction: 'outbound',
        startedAt: d.occurredAt,
        from: event.type === 'OutboundCallStarted' ? event.data.callerIdNumber : null,
        to: d.destination,
        callerNumber: d.destination,
        agentId: d.agentId,
        queueId: event.type === 'OutboundCallStarted' ? event.data.queueId : doc.queueId,
        closingReason: event.type === 'OutboundCallRefused' ? event.data.reason : doc.closingReason,
      };
    }
    case 'CallerIdentified':
      return { ...doc, caller: { name: event.data.contact?.name ?? doc.caller.name, contact: event.data.contact, previousCalls: event.data.previousCalls.length } };
    case 'CallRoutedAfterHours':
      return { ...doc, afterHours: { hoursId: event.data.hoursId, reason: event.data.reason, voicemail: event.data.voicemail } };
    case 'IvrMenuPresented':
      return { ...doc, ivr: { ...doc.ivr, startedAt: doc.ivr.startedAt ?? event.data.occurredAt, language: doc.ivr.language ?? event.data.language } };
    case 'IvrInputRejected':
      return { ...doc, ivr: { ...doc.ivr, rejectedInputs: doc.ivr.rejectedInputs + 1 } };
    case 'IvrOptionSelected': {
      const d = event.data;
      const selection = { menuId: d.menuId, digits: d.digits, label: d.label, action: d.action.kind, byDefault: d.byDefault, at: d.occurredAt };
      const a = d.attributes;
      return {
        ...doc,
        ivr: { ...doc.ivr, selections: [...doc.ivr.selections, selection], language: a.language ?? doc.ivr.language },
        attributes: { language: a.language ?? null, department: a.department ?? null, skills: a.skills ?? [], priority: a.priority ?? null },
      };
    }
    case 'CallQueued': {
      const d = event.data;
      const visit = {
        entryId: d.entryId,
        queueId: d.queueId,
        kind: d.kind,
        reason: d.reason,
        fromQueueId: d.fromQueueId,
        priority: d.priority,
        enqueuedAt: d.enqueuedAt,
        queueEnteredAt: d.queueEnteredAt,
        leftAt: null,
        leftReason: null,
        waitedSeconds: null,
        queueWaitedSeconds: null,
      };
      const callback = d.kind === 'callback' && doc.callback === null ? { number: d.callbackNumber ?? doc.callerNumber ?? '', requestedAt: d.occurredAt, via: 'ivr', failedAttempts: 0 } : doc.callback;
      return endIvr({ ...doc, queueId: d.queueId, queues: [...doc.queues, visit], callback }, d.occurredAt);
    }
    case 'CallLeftQueue': {
      const d = event.data;
      const queues = doc.queues.map((q) =>
        q.entryId === d.entryId ? { ...q, leftAt: d.occurredAt, leftReason: d.reason, waitedSeconds: d.waitedSeconds, queueWaitedSeconds: d.queueWaitedSeconds } : q,
      );
      return { ...doc, queues, durations: { ...doc.durations, waitSeconds: d.waitedSeconds } };
    }
    case 'CallbackRequested': {
      const d = event.data;
      return {
        ...doc,
        callback: { number: d.number, requestedAt: doc.callback?.requestedAt ?? d.occurredAt, via: d.via, failedAttempts: doc.callback?.failedAttempts ?? 0 },
        queues: doc.queues.map((q) => (q.entryId === d.entryId ? { ...q, kind: 'callback' } : q)),
      };
    }
    case 'QueuePositionAnnounced':
      return doc;
    case 'RoutingDecisionMade':
      return { ...doc, decisions: [...doc.decisions, decisionView(position, event.data)] };
    case 'CallOffered': {
      const d = event.data;
      const offer: OfferView = {
        offerId: d.offerId,
        purpose: d.purpose,
        strategy: d.strategy,
        queueId: d.queueId,
        decisionId: d.decisionId,
        at: d.occurredAt,
        expiresAt: d.expiresAt,
        agents: d.agents.map((a) => ({ agentId: a.agentId, outcome: 'ringing', reason: null, at: null })),
      };
      const agentsOffered = [...doc.agentsOffered, ...d.agents.map((a) => a.agentId).filter((id) => !doc.agentsOffered.includes(id))];
      return { ...doc, offers: [...doc.offers.filter((o) => o.offerId !== d.offerId), offer], agentsOffered };
    }
    case 'CallOfferFailed':
      return doc;
    case 'OfferAccepted':
      return { ...doc, offers: mapOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'accepted', null, event.data.occurredAt) };
    case 'OfferRejected':
      return { ...doc, offers: mapOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'rejected', event.data.reason, event.data.occurredAt) };
    case 'OfferMissed':
      return { ...doc, offers: mapOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'missed', event.data.reason, event.data.occurredAt) };
    case 'OfferCancelled':
      return { ...doc, offers: mapOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'cancelled', event.data.reason, event.data.occurredAt) };
    case 'CallReturnedToQueue':
      return doc;
    case 'AgentConnected': {
      const d = event.data;
      const connection: ConnectionView = {
        agentId: d.agentId,
        via: d.via,
        queueId: d.queueId,
        connectedAt: d.occurredAt,
        disconnectedAt: null,
        reason: null,
        talkSeconds: null,
        holdSeconds: 0,
        heldSince: null,
        wrapUpSeconds: null,
      };
      return {
        ...doc,
        connections: [...doc.connections, connection],
        answeredAt: doc.answeredAt ?? d.occurredAt,
        answeredBy: doc.answeredBy ?? d.agentId,
        agentId: d.agentId,
        agentIds: doc.agentIds.includes(d.agentId) ? doc.agentIds : [...doc.agentIds, d.agentId],
        queueId: d.queueId ?? doc.queueId,
      };
    }
    case 'AgentDisconnected': {
      const d = event.data;
      const connections = doc.connections.map((c) => (c.agentId === d.agentId && c.disconnectedAt === null ? closeConnection(c, d.occurredAt, d.reason) : c));
      return withDurations({ ...doc, connections });
    }
    case 'CallHeld': {
      const d = event.data;
      const connections = doc.connections.map((c) => (c.agentId === d.agentId && c.disconnectedAt === null && c.heldSince === null ? { ...c, heldSince: d.occurredAt } : c));
      return { ...doc, connections };
    }
    case 'CallUnheld':
      return withDurations({ ...doc, connections: doc.connections.map((c) => (c.disconnectedAt === null ? closeHold(c, event.data.occurredAt) : c)) });
    case 'CallTransferRequested': {
      const d = event.data;
      const transfer = { transferId: d.transferId, kind: d.kind, target: d.target, fromAgentId: d.fromAgentId, requestedAt: d.occurredAt, status: 'requested' as const, reason: null, at: d.occurredAt };
      return { ...doc, transfers: [...doc.transfers, transfer] };
    }
    case 'ConsultationConnected':
    case 'WarmTransferCompleted':
    case 'WarmTransferCancelled':
    case 'CallTransferredOut': {
      const d = event.data;
      const status =
        event.type === 'ConsultationConnected' ? 'consulting' : event.type === 'WarmTransferCompleted' ? 'completed' : event.type === 'WarmTransferCancelled' ? 'cancelled' : 'transferred-out';
      const reason = event.type === 'WarmTransferCancelled' ? event.data.reason : null;
      return { ...doc, transfers: doc.transfers.map((t) => (t.transferId === d.transferId ? { ...t, status, reason, at: d.occurredAt } : t)) };
    }
    case 'RecordingStarted':
    case 'RecordingPaused':
    case 'RecordingResumed':
    case 'RecordingStopped':
      return doc;
    case 'RecordingDownloadRequested': {
      const d = event.data;
      const recording = {
        recordingId: d.recordingId,
        kind: d.kind,
        status: 'requested' as const,
        startedAt: d.startedAt,
        endedAt: d.endedAt,
        durationSeconds: d.durationSeconds,
        channels: d.channels,
        location: null,
        contentType: null,
        sizeBytes: null,
        error: null,
      };
      return { ...doc, recordings: [...doc.recordings.filter((r) => r.recordingId !== d.recordingId), recording] };
    }
    case 'RecordingStored': {
      const d = event.data;
      return {
        ...doc,
        recordings: doc.recordings.map((r) => (r.recordingId === d.recordingId ? { ...r, status: 'stored', kind: d.kind, location: d.location, contentType: d.contentType, sizeBytes: d.sizeBytes } : r)),
      };
    }
    case 'RecordingDownloadFailed':
      return { ...doc, recordings: doc.recordings.map((r) => (r.recordingId === event.data.recordingId ? { ...r, status: 'failed', error: event.data.error } : r)) };
    case 'TranscriptionStarted':
    case 'TranscriptionStopped':
      return doc;
    case 'TranscriptReceived': {
      const d = event.data;
      return { ...doc, transcript: [...doc.transcript, { at: d.occurredAt, track: d.track, text: d.text, confidence: d.confidence }] };
    }
    case 'AnnouncementMade':
    case 'DtmfSent':
      return doc;
    case 'SupervisionStarted':
      return { ...doc, supervision: [...doc.supervision, { supervisorId: event.data.supervisorId, mode: event.data.mode, startedAt: event.data.occurredAt, endedAt: null }] };
    case 'SupervisorJoined':
      return doc;
    case 'SupervisorRoleSwitched': {
      const d = event.data;
      return { ...doc, supervision: doc.supervision.map((s) => (s.supervisorId === d.supervisorId && s.endedAt === null ? { ...s, mode: d.to } : s)) };
    }
    case 'SupervisionEnded': {
      const d = event.data;
      return { ...doc, supervision: doc.supervision.map((s) => (s.supervisorId === d.supervisorId && s.endedAt === null ? { ...s, endedAt: d.occurredAt } : s)) };
    }
    case 'VoicemailStarted': {
      const d = event.data;
      return endIvr({ ...doc, voicemail: { reason: d.reason, queueId: d.queueId, recordingId: null, durationSeconds: null, startedAt: d.occurredAt, recordedAt: null } }, d.occurredAt);
    }
    case 'VoicemailRecorded': {
      const d = event.data;
      const voicemail = { reason: doc.voicemail?.reason ?? 'caller-choice', queueId: d.queueId, recordingId: d.recordingId, durationSeconds: d.durationSeconds, startedAt: doc.voicemail?.startedAt ?? d.occurredAt, recordedAt: d.occurredAt };
      return { ...doc, voicemail, voicemailAt: d.occurredAt };
    }
    case 'CallbackAttemptFailed':
      return doc.callback ? { ...doc, callback: { ...doc.callback, failedAttempts: doc.callback.failedAttempts + 1 } } : doc;
    case 'HangupRequested':
      return doc;
    case 'CallClosing':
      return endIvr({ ...doc, closingReason: event.data.reason }, event.data.occurredAt);
    case 'CallEnded': {
      const d = event.data;
      const connections = doc.connections.map((c) => closeConnection(c, d.occurredAt, 'call-ended'));
      const hadCallback = doc.callback !== null || doc.queues.some((q) => q.kind === 'callback');
      return withDurations(
        endIvr(
          {
            ...doc,
            status: 'ended',
            startedAt: doc.startedAt ?? d.startedAt,
            endedAt: d.occurredAt,
            durationSeconds: d.durationSeconds,
            outcome: historyOutcomeOf(d.outcome, hadCallback),
            endOutcome: d.outcome,
            hangupCause: d.hangupCause,
            hangupSource: d.hangupSource,
            queueId: d.queueId ?? doc.queueId,
            agentId: d.agentId ?? doc.agentId,
            connections,
          },
          d.occurredAt,
        ),
      );
    }
    case 'CallDispositionRecorded': {
      const d = event.data;
      return { ...doc, dispositions: [...doc.dispositions, { agentId: d.agentId, disposition: d.disposition, notes: d.notes, at: d.occurredAt }] };
    }
    case 'CallAnswered':
    case 'TelnyxCommandRequested':
    case 'TelnyxCommandAccepted':
    case 'TelnyxCommandFailed':
      return doc;
    default: {
      const _exhaustive: never = event;
      return doc;
    }
  }
};

const timelineEntry = (recorded: RecordedEvent, event: CallEvent, at: string): TimelineEntry => {
  const entry: TimelineEntry = { position: recorded.position.toString(), at, type: event.type, summary: '' };
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') {
    const w = event.data;
    entry.summary = timelineSummary(event, clientStateOf(w)?.role ?? null);
    entry.webhook = event.type === 'TelnyxWebhookLinked' ? { id: w.webhookId, eventType: w.eventType, linkedFrom: event.data.linkedFromStreamId } : { id: w.webhookId, eventType: w.eventType };
    return entry;
  }
  entry.summary = timelineSummary(event);
  return entry;
};

/** Applies one event of the call's stream to its history; a webhook seen before (same Telnyx id) changes nothing. */
export const applyToCallHistory = (current: CallHistoryDoc | null, callId: string, recorded: RecordedEvent, event: CallEvent): CallHistoryDoc | null => {
  const doc = current ?? emptyCallHistory(callId);
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') {
    const webhookId = event.data.webhookId;
    if (doc.timeline.some((entry) => entry.webhook?.id === webhookId)) return current;
  }
  const at = event.data.occurredAt;
  const next = applyDomainEvent(doc, event, recorded.position);
  return { ...next, timeline: [...next.timeline, timelineEntry(recorded, event, at)], lastEventAt: laterIso(next.lastEventAt, at) };
};

const callAgentId = (callId: string, agentId: string): string => `${callId}|${agentId}`;

export const callHistoryProjection = (): Projection =>
  defineProjection({
    name: CALL_HISTORY_PROJECTION,
    version: 1,
    collections: [
      {
        name: CALL_HISTORY_COLLECTIONS.calls,
        indexes: [
          { fields: ['startedAt', '_id'] },
          { fields: ['queueId', 'startedAt', '_id'] },
          { fields: ['agentId', 'startedAt', '_id'] },
          { fields: ['outcome', 'startedAt', '_id'] },
          { fields: ['callerNumber', 'startedAt', '_id'] },
          { fields: ['voicemailAt', '_id'] },
        ],
      },
      { name: CALL_HISTORY_COLLECTIONS.callAgents, indexes: [{ fields: ['agentId', 'startedAt', '_id'] }] },
    ],
    filter: { streamPrefixes: ['call-', 'agent-'] },
    async apply({ event, get, update }) {
      const domain = domainEventOf(event);
      const changes = new EventChanges();
      const calls = CALL_HISTORY_COLLECTIONS.calls;
      if (domain.stream === 'agent') {
        const e = domain.event;
        if (e.type !== 'AgentWrapUpCompleted') return;
        const { callId, agentId, wrapUpSeconds } = e.data;
        changes.change<CallHistoryDoc>(calls, callId, (doc) => {
          if (!doc) return doc;
          const index = doc.connections.map((c) => c.agentId).lastIndexOf(agentId);
          const connections = doc.connections.map((c, i) => (i === index ? { ...c, wrapUpSeconds: (c.wrapUpSeconds ?? 0) + wrapUpSeconds } : c));
          return { ...doc, connections, durations: { ...doc.durations, wrapUpSeconds: doc.durations.wrapUpSeconds + wrapUpSeconds } };
        });
        await changes.commit({ update });
        return;
      }
      if (domain.stream !== 'call') return;
      const e = domain.event;
      const callId = domain.callId;
      // A webhook of a leg that belongs to another call (a callback's new session) is that call's: its linked copy is used.
      if (e.type === 'TelnyxWebhookReceived') {
        const owner = webhookOwner(e.data);
        if (owner !== null && owner !== callId) return;
      }
      changes.change<CallHistoryDoc>(calls, callId, (doc) => applyToCallHistory(doc, callId, event, e));
      if (e.type === 'AgentConnected' || e.type === 'CallEnded') {
        const before = await get<CallHistoryDoc>(calls, callId);
        const after = applyToCallHistory(before, callId, event, e);
        const agentIds = e.type === 'AgentConnected' ? [e.data.agentId] : (after?.agentIds ?? []);
        for (const agentId of agentIds) {
          changes.change<CallAgentDoc>(CALL_HISTORY_COLLECTIONS.callAgents, callAgentId(callId, agentId), (doc) => ({
            _id: callAgentId(callId, agentId),
            callId,
            agentId,
            startedAt: after?.startedAt ?? null,
            connectedAt: doc?.connectedAt ?? e.data.occurredAt,
            queueId: after?.queueId ?? null,
            outcome: after?.outcome ?? 'in-progress',
            callerNumber: after?.callerNumber ?? null,
          }));
        }
      }
      await changes.commit({ update });
    },
  });

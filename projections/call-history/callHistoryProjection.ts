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
const DECISION_CANDIDATES_KEPT = 5;
const DECISION_REASONS_KEPT = 8;

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
  callBacks: [],
  callBackOf: null,
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

const foldLeg = (legs: CallLegView[], w: TelnyxWebhookData): void => {
  const callControlId = w.callControlId ?? w.payload.call_control_id ?? null;
  if (!callControlId) return;
  const state = clientStateOf(w);
  let leg = legs.find((l) => l.callControlId === callControlId);
  if (!leg) {
    leg = {
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
    legs.push(leg);
  }
  leg.callLegId ??= w.callLegId ?? w.payload.call_leg_id ?? null;
  leg.agentId ??= state?.agentId ?? null;
  leg.lastEventAt = laterIso(leg.lastEventAt, w.occurredAt);
  const status = LEG_STATUS[w.eventType];
  if (!status) return;
  if (LEG_RANK[status] > LEG_RANK[leg.status]) leg.status = status;
  if (status === 'initiated') leg.initiatedAt = earlier(leg.initiatedAt, w.occurredAt);
  if (status === 'answered') leg.answeredAt = earlier(leg.answeredAt, w.occurredAt);
  if (status === 'ended') {
    leg.endedAt = w.occurredAt;
    leg.hangupCause = w.payload.hangup_cause ?? null;
    leg.hangupSource = w.payload.hangup_source ?? null;
  }
};

////////////////////////////////////////// Helpers

const decisionView = (position: bigint, d: RoutingDecisionMade['data']): DecisionView => {
  const kept = [...d.candidates.filter((c) => c.chosen), ...d.candidates.filter((c) => c.eligible && !c.chosen)].slice(0, DECISION_CANDIDATES_KEPT);
  const counts = new Map<string, number>();
  let eligible = 0;
  for (const c of d.candidates) {
    if (c.eligible) {
      eligible++;
      continue;
    }
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
    eligible,
    candidates: kept.map((c) => ({ agentId: c.agentId, eligible: c.eligible, chosen: c.chosen, reasons: c.reasons, idleSince: c.idleSince, score: c.score })),
    ineligibleReasons: [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, DECISION_REASONS_KEPT)
      .map(([reason, count]) => ({ reason, count })),
  };
};

const settleOfferAgent = (offers: OfferView[], offerId: string, agentId: string, outcome: OfferView['agents'][number]['outcome'], reason: string | null, at: string): void => {
  const agent = offers.find((o) => o.offerId === offerId)?.agents.find((a) => a.agentId === agentId);
  if (!agent) return;
  agent.outcome = outcome;
  agent.reason = reason;
  agent.at = at;
};

const closeHold = (c: ConnectionView, at: string): void => {
  if (c.heldSince === null) return;
  c.holdSeconds += secondsFrom(toMs(c.heldSince), toMs(at));
  c.heldSince = null;
};

const closeConnection = (c: ConnectionView, at: string, reason: string): void => {
  if (c.disconnectedAt !== null) return;
  closeHold(c, at);
  c.disconnectedAt = at;
  c.reason = reason;
  c.talkSeconds = Math.max(0, secondsFrom(toMs(c.connectedAt), toMs(at)) - c.holdSeconds);
};

const sumDurations = (doc: CallHistoryDoc): void => {
  let talk = 0;
  let hold = 0;
  for (const c of doc.connections) {
    talk += c.talkSeconds ?? 0;
    hold += c.holdSeconds;
  }
  doc.durations.talkSeconds = talk;
  doc.durations.holdSeconds = hold;
};

const endIvr = (doc: CallHistoryDoc, at: string): void => {
  if (doc.ivr.startedAt === null || doc.ivr.endedAt !== null) return;
  doc.ivr.endedAt = at;
  doc.durations.ivrSeconds = secondsFrom(toMs(doc.ivr.startedAt), toMs(at));
};

////////////////////////////////////////// Domain events (the document is changed in place)

const applyDomainEvent = (doc: CallHistoryDoc, event: CallEvent, position: bigint): void => {
  switch (event.type) {
    case 'TelnyxWebhookReceived':
    case 'TelnyxWebhookLinked':
      foldLeg(doc.legs, event.data);
      return;
    case 'InboundCallStarted': {
      const d = event.data;
      doc.direction = 'inbound';
      doc.startedAt = d.occurredAt;
      doc.from = d.from;
      doc.to = d.to;
      doc.callerNumber = d.from;
      doc.caller.name ??= d.callerName;
      doc.ivr.entryMenuId = d.entryMenuId;
      return;
    }
    case 'OutboundCallStarted':
    case 'OutboundCallRefused': {
      const d = event.data;
      doc.direction = 'outbound';
      doc.startedAt = d.occurredAt;
      doc.to = d.destination;
      doc.callerNumber = d.destination;
      doc.agentId = d.agentId;
      if (event.type === 'OutboundCallStarted') {
        doc.from = event.data.callerIdNumber;
        doc.queueId = event.data.queueId;
        doc.callBackOf = event.data.callBackOf ?? null;
      } else {
        doc.closingReason = event.data.reason;
      }
      return;
    }
    case 'CallerIdentified':
      doc.caller = { name: event.data.contact?.name ?? doc.caller.name, contact: event.data.contact, previousCalls: event.data.previousCalls.length };
      return;
    case 'CallRoutedAfterHours':
      doc.afterHours = { hoursId: event.data.hoursId, reason: event.data.reason, voicemail: event.data.voicemail };
      return;
    case 'IvrMenuPresented':
      doc.ivr.startedAt ??= event.data.occurredAt;
      doc.ivr.language ??= event.data.language;
      return;
    case 'IvrInputRejected':
      doc.ivr.rejectedInputs += 1;
      return;
    case 'IvrOptionSelected': {
      const d = event.data;
      const a = d.attributes;
      doc.ivr.selections.push({ menuId: d.menuId, digits: d.digits, label: d.label, action: d.action.kind, byDefault: d.byDefault, at: d.occurredAt });
      doc.ivr.language = a.language ?? doc.ivr.language;
      doc.attributes = { language: a.language ?? null, department: a.department ?? null, skills: a.skills ?? [], priority: a.priority ?? null };
      return;
    }
    case 'CallQueued': {
      const d = event.data;
      doc.queueId = d.queueId;
      doc.queues.push({
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
      });
      if (d.kind === 'callback' && doc.callback === null) doc.callback = { number: d.callbackNumber ?? doc.callerNumber ?? '', requestedAt: d.occurredAt, via: 'ivr', failedAttempts: 0 };
      endIvr(doc, d.occurredAt);
      return;
    }
    case 'CallLeftQueue': {
      const d = event.data;
      const visit = doc.queues.find((q) => q.entryId === d.entryId);
      if (visit) {
        visit.leftAt = d.occurredAt;
        visit.leftReason = d.reason;
        visit.waitedSeconds = d.waitedSeconds;
        visit.queueWaitedSeconds = d.queueWaitedSeconds;
      }
      doc.durations.waitSeconds = d.waitedSeconds;
      return;
    }
    case 'CallbackRequested': {
      const d = event.data;
      doc.callback = { number: d.number, requestedAt: doc.callback?.requestedAt ?? d.occurredAt, via: d.via, failedAttempts: doc.callback?.failedAttempts ?? 0 };
      const visit = doc.queues.find((q) => q.entryId === d.entryId);
      if (visit) visit.kind = 'callback';
      return;
    }
    case 'RoutingDecisionMade':
      doc.decisions.push(decisionView(position, event.data));
      return;
    case 'CallOffered': {
      const d = event.data;
      doc.offers = doc.offers.filter((o) => o.offerId !== d.offerId);
      doc.offers.push({
        offerId: d.offerId,
        purpose: d.purpose,
        strategy: d.strategy,
        queueId: d.queueId,
        decisionId: d.decisionId,
        at: d.occurredAt,
        expiresAt: d.expiresAt,
        agents: d.agents.map((a) => ({ agentId: a.agentId, outcome: 'ringing', reason: null, at: null })),
      });
      for (const a of d.agents) if (!doc.agentsOffered.includes(a.agentId)) doc.agentsOffered.push(a.agentId);
      return;
    }
    case 'OfferAccepted':
      settleOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'accepted', null, event.data.occurredAt);
      return;
    case 'OfferRejected':
      settleOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'rejected', event.data.reason, event.data.occurredAt);
      return;
    case 'OfferMissed':
      settleOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'missed', event.data.reason, event.data.occurredAt);
      return;
    case 'OfferCancelled':
      settleOfferAgent(doc.offers, event.data.offerId, event.data.agentId, 'cancelled', event.data.reason, event.data.occurredAt);
      return;
    case 'AgentConnected': {
      const d = event.data;
      doc.connections.push({
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
      });
      doc.answeredAt ??= d.occurredAt;
      doc.answeredBy ??= d.agentId;
      doc.agentId = d.agentId;
      if (!doc.agentIds.includes(d.agentId)) doc.agentIds.push(d.agentId);
      doc.queueId = d.queueId ?? doc.queueId;
      return;
    }
    case 'AgentDisconnected': {
      const d = event.data;
      for (const c of doc.connections) if (c.agentId === d.agentId && c.disconnectedAt === null) closeConnection(c, d.occurredAt, d.reason);
      sumDurations(doc);
      return;
    }
    case 'CallHeld': {
      const d = event.data;
      for (const c of doc.connections) if (c.agentId === d.agentId && c.disconnectedAt === null && c.heldSince === null) c.heldSince = d.occurredAt;
      return;
    }
    case 'CallUnheld':
      for (const c of doc.connections) if (c.disconnectedAt === null) closeHold(c, event.data.occurredAt);
      sumDurations(doc);
      return;
    case 'CallTransferRequested': {
      const d = event.data;
      doc.transfers.push({ transferId: d.transferId, kind: d.kind, target: d.target, fromAgentId: d.fromAgentId, requestedAt: d.occurredAt, status: 'requested', reason: null, at: d.occurredAt });
      return;
    }
    case 'ConsultationConnected':
    case 'WarmTransferCompleted':
    case 'WarmTransferCancelled':
    case 'CallTransferredOut': {
      const d = event.data;
      const transfer = doc.transfers.find((t) => t.transferId === d.transferId);
      if (!transfer) return;
      transfer.status =
        event.type === 'ConsultationConnected' ? 'consulting' : event.type === 'WarmTransferCompleted' ? 'completed' : event.type === 'WarmTransferCancelled' ? 'cancelled' : 'transferred-out';
      transfer.reason = event.type === 'WarmTransferCancelled' ? event.data.reason : null;
      transfer.at = d.occurredAt;
      return;
    }
    case 'RecordingDownloadRequested': {
      const d = event.data;
      doc.recordings = doc.recordings.filter((r) => r.recordingId !== d.recordingId);
      doc.recordings.push({
        recordingId: d.recordingId,
        kind: d.kind,
        status: 'requested',
        startedAt: d.startedAt,
        endedAt: d.endedAt,
        durationSeconds: d.durationSeconds,
        channels: d.channels,
        location: null,
        contentType: null,
        sizeBytes: null,
        error: null,
      });
      return;
    }
    case 'RecordingStored': {
      const d = event.data;
      const recording = doc.recordings.find((r) => r.recordingId === d.recordingId);
      if (recording) Object.assign(recording, { status: 'stored', kind: d.kind, location: d.location, contentType: d.contentType, sizeBytes: d.sizeBytes });
      return;
    }
    case 'RecordingDownloadFailed': {
      const recording = doc.recordings.find((r) => r.recordingId === event.data.recordingId);
      if (recording) Object.assign(recording, { status: 'failed', error: event.data.error });
      return;
    }
    case 'TranscriptReceived': {
      const d = event.data;
      doc.transcript.push({ at: d.occurredAt, track: d.track, text: d.text, confidence: d.confidence });
      return;
    }
    case 'SupervisionStarted':
      doc.supervision.push({ supervisorId: event.data.supervisorId, mode: event.data.mode, startedAt: event.data.occurredAt, endedAt: null });
      return;
    case 'SupervisorRoleSwitched': {
      const d = event.data;
      for (const s of doc.supervision) if (s.supervisorId === d.supervisorId && s.endedAt === null) s.mode = d.to;
      return;
    }
    case 'SupervisionEnded': {
      const d = event.data;
      for (const s of doc.supervision) if (s.supervisorId === d.supervisorId && s.endedAt === null) s.endedAt = d.occurredAt;
      return;
    }
    case 'VoicemailStarted': {
      const d = event.data;
      doc.voicemail = { reason: d.reason, queueId: d.queueId, recordingId: null, durationSeconds: null, startedAt: d.occurredAt, recordedAt: null };
      endIvr(doc, d.occurredAt);
      return;
    }
    case 'VoicemailRecorded': {
      const d = event.data;
      doc.voicemail = { reason: doc.voicemail?.reason ?? 'caller-choice', queueId: d.queueId, recordingId: d.recordingId, durationSeconds: d.durationSeconds, startedAt: doc.voicemail?.startedAt ?? d.occurredAt, recordedAt: d.occurredAt };
      doc.voicemailAt = d.occurredAt;
      return;
    }
    case 'CallbackAttemptFailed':
      if (doc.callback) doc.callback.failedAttempts += 1;
      return;
    case 'CallClosing':
      doc.closingReason = event.data.reason;
      endIvr(doc, event.data.occurredAt);
      return;
    case 'CallEnded': {
      const d = event.data;
      for (const c of doc.connections) closeConnection(c, d.occurredAt, 'call-ended');
      const hadCallback = doc.callback !== null || doc.queues.some((q) => q.kind === 'callback');
      doc.status = 'ended';
      doc.startedAt ??= d.startedAt;
      doc.endedAt = d.occurredAt;
      doc.durationSeconds = d.durationSeconds;
      doc.outcome = historyOutcomeOf(d.outcome, hadCallback);
      doc.endOutcome = d.outcome;
      doc.hangupCause = d.hangupCause;
      doc.hangupSource = d.hangupSource;
      doc.queueId = d.queueId ?? doc.queueId;
      doc.agentId = d.agentId ?? doc.agentId;
      endIvr(doc, d.occurredAt);
      sumDurations(doc);
      return;
    }
    case 'CallDispositionRecorded': {
      const d = event.data;
      doc.dispositions.push({ agentId: d.agentId, disposition: d.disposition, notes: d.notes, at: d.occurredAt });
      return;
    }
    case 'CallBackStarted':
      doc.callBacks.push({ agentId: event.data.agentId, number: event.data.number, at: event.data.occurredAt });
      return;
    case 'QueuePositionAnnounced':
    case 'CallOfferFailed':
    case 'CallReturnedToQueue':
    case 'RecordingStarted':
    case 'RecordingPaused':
    case 'RecordingResumed':
    case 'RecordingStopped':
    case 'TranscriptionStarted':
    case 'TranscriptionStopped':
    case 'AnnouncementMade':
    case 'DtmfSent':
    case 'SupervisorJoined':
    case 'HangupRequested':
    case 'CallAnswered':
    case 'TelnyxCommandRequested':
    case 'TelnyxCommandAccepted':
      return;
    case 'TelnyxCommandFailed': {
      // A blind transfer to a number that Telnyx refused: the caller did not leave (the decider queues them again).
      const d = event.data;
      if (d.action !== 'transfer' || d.legGone) return;
      const transfer = doc.transfers.filter((t) => t.status === 'transferred-out').pop();
      if (!transfer) return;
      transfer.status = 'cancelled';
      transfer.reason = `refused by Telnyx: ${d.error.title}`;
      transfer.at = d.occurredAt;
      return;
    }
    default: {
      const _exhaustive: never = event;
      return;
    }
  }
};

const timelineEntry = (recorded: RecordedEvent, event: CallEvent, at: string): TimelineEntry => {
  const position = recorded.position.toString();
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') {
    const w = event.data;
    const summary = timelineSummary(event, clientStateOf(w)?.role ?? null);
    return event.type === 'TelnyxWebhookLinked'
      ? [position, at, event.type, summary, w.webhookId, w.eventType, event.data.linkedFromStreamId]
      : [position, at, event.type, summary, w.webhookId, w.eventType];
  }
  return [position, at, event.type, timelineSummary(event)];
};

/**
 * Applies one event of the call's stream to its history, changing `current` in place (a new document
 * for the call's first event). A webhook seen before (same Telnyx id) changes nothing.
 */
export const applyToCallHistory = (current: CallHistoryDoc | null, callId: string, recorded: RecordedEvent, event: CallEvent): CallHistoryDoc => {
  const doc = current ?? emptyCallHistory(callId);
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') {
    const webhookId = event.data.webhookId;
    if (doc.timeline.some((entry) => entry[4] === webhookId)) return doc;
  }
  const at = event.data.occurredAt;
  applyDomainEvent(doc, event, recorded.position);
  doc.timeline.push(timelineEntry(recorded, event, at));
  doc.lastEventAt = laterIso(doc.lastEventAt, at);
  return doc;
};

const callAgentId = (callId: string, agentId: string): string => `${callId}|${agentId}`;

export const callHistoryProjection = (): Projection =>
  defineProjection({
    name: CALL_HISTORY_PROJECTION,
    version: 3,
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
          { fields: ['callBackOf', 'startedAt', '_id'] },
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
        if (!(await get<CallHistoryDoc>(calls, callId))) return;
        changes.change<CallHistoryDoc>(calls, callId, (doc) => {
          if (!doc) return doc;
          const connection = doc.connections.filter((c) => c.agentId === agentId).pop();
          if (connection) connection.wrapUpSeconds = (connection.wrapUpSeconds ?? 0) + wrapUpSeconds;
          doc.durations.wrapUpSeconds += wrapUpSeconds;
          return doc;
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
      let after: CallHistoryDoc | null = null;
      changes.change<CallHistoryDoc>(calls, callId, (doc) => (after = applyToCallHistory(doc, callId, event, e)));
      if (e.type === 'AgentConnected' || e.type === 'CallEnded') {
        // Read before the commit, and not changed: the agents a call ends for were connected before its end.
        const agentIds = e.type === 'AgentConnected' ? [e.data.agentId] : ((await get<CallHistoryDoc>(calls, callId))?.agentIds ?? []);
        for (const agentId of agentIds) {
          const id = callAgentId(callId, agentId);
          // Staged after the call's own change, so `after` is the call as this event left it.
          changes.change<CallAgentDoc>(CALL_HISTORY_COLLECTIONS.callAgents, id, (doc) => {
            const call = after as CallHistoryDoc | null;
            return {
              _id: id,
              callId,
              agentId,
              startedAt: call?.startedAt ?? null,
              connectedAt: doc?.connectedAt ?? e.data.occurredAt,
              queueId: call?.queueId ?? null,
              outcome: call?.outcome ?? 'in-progress',
              callerNumber: call?.callerNumber ?? null,
            };
          });
        }
      }
      await changes.commit({ update });
    },
  });

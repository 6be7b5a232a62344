import type { CallAttributes } from '../config/config';
import type { CrmContact } from '../crm/crmPort';
import type { RoutingMethod } from '../routing/routingDecision';
import type { CallEvent, CallOutcome, OfferPurpose, QueueDeadlines, TransferTarget } from './callEvents';
import type { SupervisorRole } from './telnyxCommands';
import { decodeClientState, type ClientState, type LegRole, type TelnyxWebhookData } from './webhook';

////////////////////////////////////////// State

export type LegStatus = 'initiated' | 'answered' | 'bridged' | 'ended';

export interface Leg {
  callControlId: string;
  callLegId: string | null;
  role: LegRole;
  agentId: string | null;
  offerId: string | null;
  supervisorId: string | null;
  transferId: string | null;
  status: LegStatus;
  initiatedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  /** occurred_at of the latest webhook folded for this leg. */
  lastEventAt: string;
  hangupCause: string | null;
  hangupSource: string | null;
  hangupRequested: boolean;
}

export interface QueueEntry {
  entryId: string;
  queueId: string;
  kind: 'call' | 'callback';
  priority: number;
  enqueuedAt: string;
  queueEnteredAt: string;
  attributes: CallAttributes;
  targetAgentId: string | null;
  callbackNumber: string | null;
  deadlines: QueueDeadlines;
  nextAnnouncementAt: string | null;
  /** Agents who rejected or missed this call recently, not offered it again before `until`. */
  excludedAgents: Array<{ agentId: string; until: string }>;
  reason: 'ivr' | 'ivr-default' | 'transfer' | 'overflow' | 'callback';
  welcomed: boolean;
  lastWaitingReason: string | null;
  /** True while the entry is waiting in the queue (false once an agent took it). */
  waiting: boolean;
}

export type OfferAgentOutcome = 'ringing' | 'accepted' | 'rejected' | 'missed' | 'cancelled';

export interface Offer {
  offerId: string;
  purpose: OfferPurpose;
  entryId: string | null;
  queueId: string | null;
  strategy: RoutingMethod;
  agents: Array<{ agentId: string; sipUsername: string; outcome: OfferAgentOutcome }>;
  ringTimeoutSeconds: number;
  expiresAt: string;
  transferId: string | null;
  open: boolean;
  acceptedBy: string | null;
}

export interface Supervision {
  supervisorId: string;
  mode: SupervisorRole;
  sipUsername: string;
  agentId: string;
  callControlId: string | null;
  joined: boolean;
}

export interface WarmTransfer {
  transferId: string;
  target: TransferTarget;
  fromAgentId: string;
  consultOfferId: string | null;
  consultCallControlId: string | null;
  connected: boolean;
  /** The caller was on hold (CallHeld) when the transfer began: a cancelled transfer ends that hold. */
  heldBefore?: boolean;
}

export interface RecordingState {
  callControlId: string;
  status: 'recording' | 'paused' | 'stopped';
}

export interface VoicemailState {
  reason: 'caller-choice' | 'max-wait' | 'after-hours' | 'requested';
  queueId: string | null;
  recordingRequested: boolean;
  /** When the voicemail's record_start was requested: a recording started before it is the conversation's. */
  recordingRequestedAt?: string;
  recordingId: string | null;
}

/** What every call state keeps, whatever the phase: the legs and what has been folded and handled already. */
export interface CallTracking {
  legs: Record<string, Leg>;
  seenWebhooks: ReadonlySet<string>;
  handledCauses: ReadonlySet<string>;
}

export interface CallBase extends CallTracking {
  callId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  startedAt: string;
  /** The external party's leg: the inbound caller, the callback's dialled customer, or an outbound call's destination. */
  customerCallControlId: string | null;
  entryMenuId: string | null;
  attributes: CallAttributes;
  caller: CrmContact | null;
  entry: QueueEntry | null;
  offers: Record<string, Offer>;
  /** Agents currently connected (AgentConnected without AgentDisconnected yet), by agent id → their leg. */
  agentsOnCall: Record<string, string>;
  /** Every agent who was connected to this call: they may record a disposition. */
  handledBy: string[];
  /** The agent the customer talks to now (or last). */
  agentId: string | null;
  agentCallControlId: string | null;
  /** Queue whose settings (hold music, caller id, record policy) apply to the connected call. */
  queueId: string | null;
  recording: RecordingState | null;
  transcription: { callControlId: string } | null;
  voicemail: VoicemailState | null;
  supervisors: Record<string, Supervision>;
  dispositions: Record<string, { disposition: string; notes: string }>;
  afterHoursId: string | null;
  /** Outbound calls record from the destination's answer (dial `record`), per the outbound queue's policy. */
  recordFromAnswer: boolean;
  /** The client_state of every leg callstream dialled, by the dial's command_id (to attribute a failed dial). */
  dials: Record<string, ClientState>;
}

export type CallPhase =
  | { status: 'Answering'; route: 'ivr' | 'after-hours' }
  | { status: 'Ivr'; menuId: string; attempt: number; awaitingInput: boolean }
  | { status: 'Queued'; announcing: boolean }
  | { status: 'Offering'; offerId: string; announcing: boolean }
  | { status: 'CallbackWaiting' }
  | { status: 'CallbackConnecting'; offerId: string }
  | { status: 'OutboundDialing' }
  | { status: 'Connected'; connectedAt: string; held: boolean; transfer: WarmTransfer | null }
  | { status: 'TransferredOut'; number: string }
  | { status: 'Voicemail'; stage: 'prompt' | 'recording' | 'thanks' }
  | { status: 'Closing'; outcome: CallOutcome; hangupAfterSpeak: boolean }
  | { status: 'Ended'; outcome: CallOutcome; endedAt: string };

export type NewCall = CallTracking & { status: 'New' };
export type ActiveCall = CallBase & CallPhase;
export type CallState = NewCall | ActiveCall;
export type CallStatus = CallState['status'];

export const initialCallState = (): CallState => ({ status: 'New', legs: {}, seenWebhooks: new Set(), handledCauses: new Set() });

export const isActive = (state: CallState): state is ActiveCall => state.status !== 'New';

////////////////////////////////////////// Webhook folding (idempotent by webhook id; leg status only moves forward)

const LEG_STATUS_RANK: Record<LegStatus, number> = { initiated: 0, answered: 1, bridged: 2, ended: 3 };

const statusFromWebhook = (eventType: string): LegStatus | undefined => {
  switch (eventType) {
    case 'call.initiated':
      return 'initiated';
    case 'call.answered':
      return 'answered';
    case 'call.bridged':
      return 'bridged';
    case 'call.hangup':
      return 'ended';
    default:
      return undefined;
  }
};

export const webhookCallControlId = (webhook: TelnyxWebhookData): string | null => webhook.callControlId ?? webhook.payload.call_control_id ?? null;

const newLeg = (webhook: TelnyxWebhookData, callControlId: string): Leg => {
  const clientState = decodeClientState(webhook.payload.client_state);
  const role: LegRole = clientState?.role ?? (webhook.eventType === 'call.initiated' && webhook.payload.direction === 'outgoing' ? 'agent' : 'customer');
  return {
    callControlId,
    callLegId: webhook.callLegId ?? webhook.payload.call_leg_id ?? null,
    role,
    agentId: clientState?.agentId ?? null,
    offerId: clientState?.offerId ?? null,
    supervisorId: clientState?.supervisorId ?? null,
    transferId: clientState?.transferId ?? null,
    status: 'initiated',
    initiatedAt: null,
    answeredAt: null,
    endedAt: null,
    lastEventAt: webhook.occurredAt,
    hangupCause: null,
    hangupSource: null,
    hangupRequested: false,
  };
};

const foldLeg = (leg: Leg, webhook: TelnyxWebhookData): Leg => {
  const next = statusFromWebhook(webhook.eventType);
  const lastEventAt = webhook.occurredAt > leg.lastEventAt ? webhook.occurredAt : leg.lastEventAt;
  const callLegId = leg.callLegId ?? webhook.callLegId ?? webhook.payload.call_leg_id ?? null;
  if (!next) return { ...leg, lastEventAt, callLegId };
  const status = LEG_STATUS_RANK[next] > LEG_STATUS_RANK[leg.status] ? next : leg.status;
  return {
    ...leg,
    callLegId,
    status,
    lastEventAt,
    initiatedAt: next === 'initiated' ? (leg.initiatedAt ?? webhook.occurredAt) : leg.initiatedAt,
    answeredAt: next === 'answered' && leg.answeredAt === null ? webhook.occurredAt : leg.answeredAt,
    endedAt: next === 'ended' ? webhook.occurredAt : leg.endedAt,
    hangupCause: next === 'ended' ? (webhook.payload.hangup_cause ?? null) : leg.hangupCause,
    hangupSource: next === 'ended' ? (webhook.payload.hangup_source ?? null) : leg.hangupSource,
  };
};

export const foldWebhook = (state: CallState, webhook: TelnyxWebhookData): CallState => {
  if (state.seenWebhooks.has(webhook.webhookId)) return state;
  const seenWebhooks = new Set(state.seenWebhooks).add(webhook.webhookId);
  const callControlId = webhookCallControlId(webhook);
  if (!callControlId) return { ...state, seenWebhooks };
  const existing = state.legs[callControlId];
  const leg = foldLeg(existing ?? newLeg(webhook, callControlId), webhook);
  const legs = { ...state.legs, [callControlId]: leg };
  if (state.status === 'New') return { ...state, seenWebhooks, legs };
  // A leg dialled as the customer (callback, outbound destination) becomes the call's customer leg.
  const becomesCustomer = !existing && leg.role === 'customer' && decodeClientState(webhook.payload.client_state) !== undefined && state.customerCallControlId !== callControlId;
  return { ...state, seenWebhooks, legs, ...(becomesCustomer ? { customerCallControlId: callControlId } : {}) };
};

////////////////////////////////////////// Evolve

const markHandled = (state: CallState, causeId: string): ReadonlySet<string> => (state.handledCauses.has(causeId) ? state.handledCauses : new Set(state.handledCauses).add(causeId));

const withoutKey = <V>(record: Record<string, V>, key: string): Record<string, V> => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

const baseFrom = (tracking: CallTracking, init: Pick<CallBase, 'callId' | 'direction' | 'from' | 'to' | 'startedAt' | 'customerCallControlId' | 'entryMenuId'>): CallBase => ({
  ...tracking,
  ...init,
  attributes: {},
  caller: null,
  entry: null,
  offers: {},
  agentsOnCall: {},
  handledBy: [],
  agentId: null,
  agentCallControlId: null,
  queueId: null,
  recording: null,
  transcription: null,
  voicemail: null,
  supervisors: {},
  dispositions: {},
  afterHoursId: null,
  recordFromAnswer: false,
  dials: {},
});

const updateOffer = (state: ActiveCall, offerId: string, update: (offer: Offer) => Offer): Record<string, Offer> => {
  const offer = state.offers[offerId];
  return offer ? { ...state.offers, [offerId]: update(offer) } : state.offers;
};

const setAgentOutcome = (offer: Offer, agentId: string, outcome: OfferAgentOutcome): Offer => {
  const agents = offer.agents.map((a) => (a.agentId === agentId ? { ...a, outcome } : a));
  return { ...offer, agents, open: offer.acceptedBy === null && outcome !== 'accepted' && agents.some((a) => a.outcome === 'ringing') };
};

const markLegHangupRequested = (legs: Record<string, Leg>, callControlId: string | null): Record<string, Leg> => {
  if (!callControlId) return legs;
  const leg = legs[callControlId];
  return leg && !leg.hangupRequested ? { ...legs, [callControlId]: { ...leg, hangupRequested: true } } : legs;
};

const waitingAfterOffer = (state: ActiveCall): CallPhase =>
  state.entry?.kind === 'callback' ? { status: 'CallbackWaiting' } : { status: 'Queued', announcing: state.status === 'Offering' ? state.announcing : false };

export const evolveCall = (current: CallState, event: CallEvent): CallState => {
  if (event.type === 'TelnyxWebhookReceived' || event.type === 'TelnyxWebhookLinked') return foldWebhook(current, event.data);
  const state: CallState = { ...current, handledCauses: markHandled(current, event.data.causeId) };

  switch (event.type) {
    case 'InboundCallStarted': {
      if (state.status !== 'New') return state;
      const d = event.data;
      const base = baseFrom(state, { callId: d.callId, direction: 'inbound', from: d.from, to: d.to, startedAt: d.occurredAt, customerCallControlId: d.callControlId, entryMenuId: d.entryMenuId });
      return { ...base, status: 'Answering', route: 'ivr' };
    }
    case 'OutboundCallStarted': {
      if (state.status !== 'New') return state;
      const d = event.data;
      const base = baseFrom(state, { callId: d.callId, direction: 'outbound', from: d.callerIdNumber, to: d.destination, startedAt: d.occurredAt, customerCallControlId: null, entryMenuId: null });
      return { ...base, agentId: d.agentId, agentCallControlId: d.agentCallControlId, queueId: d.queueId, recordFromAnswer: d.record, status: 'OutboundDialing' };
    }
    case 'OutboundCallRefused': {
      if (state.status !== 'New') return state;
      const d = event.data;
      const base = baseFrom(state, { callId: d.callId, direction: 'outbound', from: '', to: d.destination, startedAt: d.occurredAt, customerCallControlId: null, entryMenuId: null });
      return { ...base, agentId: d.agentId, agentCallControlId: d.agentCallControlId, status: 'Closing', outcome: 'outbound-refused', hangupAfterSpeak: false };
    }
    default:
      break;
  }
  if (state.status === 'New') return state;
  const s: ActiveCall = state;

  switch (event.type) {
    case 'CallerIdentified':
      return { ...s, caller: event.data.contact };
    case 'CallRoutedAfterHours':
      return s.status === 'Answering' ? { ...s, route: 'after-hours', afterHoursId: event.data.hoursId } : s;
    case 'CallAnswered':
      return s;
    case 'TelnyxCommandRequested': {
      const d = event.data;
      const legs = d.action === 'hangup' ? markLegHangupRequested(s.legs, d.callControlId) : s.legs;
      if (d.action === 'dial') {
        const dialled = decodeClientState(d.params.client_state);
        if (dialled) return { ...s, legs, dials: { ...s.dials, [d.commandId]: dialled } };
      }
      const onCustomer = d.callControlId !== null && d.callControlId === s.customerCallControlId;
      if (onCustomer && (s.status === 'Queued' || s.status === 'Offering')) {
        if (d.action === 'speak') return { ...s, legs, announcing: true, entry: s.entry ? { ...s.entry, welcomed: true } : s.entry };
        if (d.action === 'playback_start') return { ...s, legs, announcing: false };
      }
      if (onCustomer && s.status === 'Voicemail') {
        if (d.action === 'record_start') return { ...s, legs, stage: 'recording', voicemail: s.voicemail ? { ...s.voicemail, recordingRequested: true, recordingRequestedAt: d.occurredAt } : s.voicemail };
        if (d.action === 'speak' && s.stage === 'recording') return { ...s, legs, stage: 'thanks' };
      }
      return { ...s, legs };
    }
    case 'TelnyxCommandAccepted':
    case 'TelnyxCommandFailed':
      return s;
    case 'IvrMenuPresented':
      return { ...s, status: 'Ivr', menuId: event.data.menuId, attempt: event.data.attempt, awaitingInput: true, attributes: { ...s.attributes, language: s.attributes.language ?? event.data.language } };
    case 'IvrInputRejected':
      return s.status === 'Ivr' ? { ...s, awaitingInput: false } : s;
    case 'IvrOptionSelected':
      return s.status === 'Ivr' ? { ...s, awaitingInput: false, attributes: event.data.attributes } : { ...s, attributes: event.data.attributes };
    case 'CallQueued': {
      const d = event.data;
      const entry: QueueEntry = {
        entryId: d.entryId,
        queueId: d.queueId,
        kind: d.kind,
        priority: d.priority,
        enqueuedAt: d.enqueuedAt,
        queueEnteredAt: d.queueEnteredAt,
        attributes: d.attributes,
        targetAgentId: d.targetAgentId,
        callbackNumber: d.callbackNumber,
        deadlines: d.deadlines,
        nextAnnouncementAt: d.nextAnnouncementAt,
        excludedAgents: d.reason === 'overflow' && s.entry ? s.entry.excludedAgents : [],
        reason: d.reason,
        welcomed: d.reason === 'overflow' && s.entry ? s.entry.welcomed : false,
        lastWaitingReason: null,
        waiting: true,
      };
      const phase: CallPhase = d.kind === 'callback' ? { status: 'CallbackWaiting' } : { status: 'Queued', announcing: s.status === 'Queued' || s.status === 'Offering' ? s.announcing : false };
      return { ...s, ...phase, entry, queueId: d.queueId };
    }
    case 'CallLeftQueue':
      return s.entry && s.entry.entryId === event.data.entryId ? { ...s, entry: { ...s.entry, waiting: false } } : s;
    case 'CallbackRequested':
      return { ...s, status: 'CallbackWaiting', entry: s.entry ? { ...s.entry, kind: 'callback', callbackNumber: event.data.number } : s.entry };
    case 'QueuePositionAnnounced':
      return s.entry ? { ...s, entry: { ...s.entry, nextAnnouncementAt: event.data.nextAnnouncementAt } } : s;
    case 'RoutingDecisionMade':
      return s.entry && event.data.chosen.length === 0 ? { ...s, entry: { ...s.entry, lastWaitingReason: event.data.waitingReason ?? null } } : s;
    case 'CallOffered': {
      const d = event.data;
      const offer: Offer = {
        offerId: d.offerId,
        purpose: d.purpose,
        entryId: d.entryId,
        queueId: d.queueId,
        strategy: d.strategy,
        agents: d.agents.map((a) => ({ ...a, outcome: 'ringing' })),
        ringTimeoutSeconds: d.ringTimeoutSeconds,
        expiresAt: d.expiresAt,
        transferId: d.transferId,
        open: true,
        acceptedBy: null,
      };
      const offers = { ...s.offers, [d.offerId]: offer };
      if (d.purpose === 'consult') {
        return s.status === 'Connected' && s.transfer ? { ...s, offers, transfer: { ...s.transfer, consultOfferId: d.offerId } } : { ...s, offers };
      }
      const announcing = s.status === 'Queued' ? s.announcing : false;
      return { ...s, offers, status: 'Offering', offerId: d.offerId, announcing, entry: s.entry ? { ...s.entry, lastWaitingReason: null } : s.entry };
    }
    case 'CallOfferFailed':
      return s;
    case 'OfferAccepted': {
      const d = event.data;
      const offers = updateOffer(s, d.offerId, (offer) => ({ ...setAgentOutcome(offer, d.agentId, 'accepted'), open: false, acceptedBy: d.agentId }));
      // The caller's first leg is done with: the customer is now the leg the callback dials (on its first webhook).
      if (d.purpose === 'callback') return { ...s, offers, status: 'CallbackConnecting', offerId: d.offerId, agentId: d.agentId, agentCallControlId: d.callControlId, customerCallControlId: null };
      if (d.purpose === 'consult') {
        return s.status === 'Connected' && s.transfer ? { ...s, offers, transfer: { ...s.transfer, consultCallControlId: d.callControlId } } : { ...s, offers };
      }
      return { ...s, offers };
    }
    case 'OfferRejected':
      return { ...s, offers: updateOffer(s, event.data.offerId, (offer) => setAgentOutcome(offer, event.data.agentId, 'rejected')) };
    case 'OfferMissed':
      return { ...s, offers: updateOffer(s, event.data.offerId, (offer) => setAgentOutcome(offer, event.data.agentId, 'missed')) };
    case 'OfferCancelled':
      return { ...s, offers: updateOffer(s, event.data.offerId, (offer) => setAgentOutcome(offer, event.data.agentId, 'cancelled')) };
    case 'CallReturnedToQueue': {
      const d = event.data;
      const offers = updateOffer(s, d.offerId, (offer) => ({ ...offer, open: false }));
      const entry = s.entry ? { ...s.entry, excludedAgents: d.excludedAgents, targetAgentId: null, waiting: true } : s.entry;
      return { ...s, offers, ...waitingAfterOffer(s), entry };
    }
    case 'AgentConnected': {
      const d = event.data;
      const handledBy = s.handledBy.includes(d.agentId) ? s.handledBy : [...s.handledBy, d.agentId];
      const agentsOnCall = { ...s.agentsOnCall, [d.agentId]: d.callControlId };
      const connection = { agentsOnCall, handledBy, agentId: d.agentId, agentCallControlId: d.callControlId, queueId: d.queueId ?? s.queueId };
      if (s.status === 'Connected') return { ...s, ...connection, transfer: null };
      return { ...s, ...connection, status: 'Connected', connectedAt: d.occurredAt, held: false, transfer: null };
    }
    case 'AgentDisconnected':
      return { ...s, agentsOnCall: withoutKey(s.agentsOnCall, event.data.agentId) };
    case 'CallHeld':
      return s.status === 'Connected' ? { ...s, held: true } : s;
    case 'CallUnheld':
      return s.status === 'Connected' ? { ...s, held: false } : s;
    case 'CallTransferRequested': {
      const d = event.data;
      if (d.kind === 'warm' && s.status === 'Connected') {
        return { ...s, held: true, transfer: { transferId: d.transferId, target: d.target, fromAgentId: d.fromAgentId, consultOfferId: null, consultCallControlId: null, connected: false, heldBefore: s.held } };
      }
      return s;
    }
    case 'ConsultationConnected':
      return s.status === 'Connected' && s.transfer ? { ...s, transfer: { ...s.transfer, connected: true, consultCallControlId: event.data.callControlId } } : s;
    case 'WarmTransferCompleted':
      return s.status === 'Connected' ? { ...s, held: false, transfer: null } : s;
    case 'WarmTransferCancelled':
      return s.status === 'Connected' ? { ...s, held: false, transfer: null } : s;
    case 'CallTransferredOut':
      return { ...s, status: 'TransferredOut', number: event.data.number };
    case 'RecordingStarted':
      return { ...s, recording: { callControlId: event.data.callControlId, status: 'recording' } };
    case 'RecordingPaused':
      return s.recording ? { ...s, recording: { ...s.recording, status: 'paused' } } : s;
    case 'RecordingResumed':
      return s.recording ? { ...s, recording: { ...s.recording, status: 'recording' } } : s;
    case 'RecordingStopped':
      return s.recording ? { ...s, recording: { ...s.recording, status: 'stopped' } } : s;
    case 'RecordingDownloadRequested':
      if (event.data.kind === 'voicemail' && s.voicemail) return { ...s, voicemail: { ...s.voicemail, recordingId: event.data.recordingId } };
      return s.recording && s.recording.status !== 'stopped' && event.data.kind === 'call' ? { ...s, recording: { ...s.recording, status: 'stopped' } } : s;
    case 'RecordingStored':
    case 'RecordingDownloadFailed':
      return s;
    case 'TranscriptionStarted':
      return { ...s, transcription: { callControlId: event.data.callControlId } };
    case 'TranscriptionStopped':
      return { ...s, transcription: null };
    case 'TranscriptReceived':
    case 'AnnouncementMade':
    case 'DtmfSent':
      return s;
    case 'SupervisionStarted': {
      const d = event.data;
      return { ...s, supervisors: { ...s.supervisors, [d.supervisorId]: { supervisorId: d.supervisorId, mode: d.mode, sipUsername: d.sipUsername, agentId: d.agentId, callControlId: null, joined: false } } };
    }
    case 'SupervisorJoined': {
      const sup = s.supervisors[event.data.supervisorId];
      return sup ? { ...s, supervisors: { ...s.supervisors, [sup.supervisorId]: { ...sup, callControlId: event.data.callControlId, joined: true } } } : s;
    }
    case 'SupervisorRoleSwitched': {
      const sup = s.supervisors[event.data.supervisorId];
      return sup ? { ...s, supervisors: { ...s.supervisors, [sup.supervisorId]: { ...sup, mode: event.data.to } } } : s;
    }
    case 'SupervisionEnded':
      return { ...s, supervisors: withoutKey(s.supervisors, event.data.supervisorId) };
    case 'VoicemailStarted':
      return { ...s, status: 'Voicemail', stage: 'prompt', voicemail: { reason: event.data.reason, queueId: event.data.queueId, recordingRequested: false, recordingId: null } };
    case 'VoicemailRecorded':
      return s.voicemail ? { ...s, voicemail: { ...s.voicemail, recordingId: event.data.recordingId } } : s;
    case 'CallbackAttemptFailed':
      return s;
    case 'HangupRequested':
      return s;
    case 'CallClosing':
      return s.status === 'Ended' ? s : { ...s, status: 'Closing', outcome: event.data.outcome, hangupAfterSpeak: event.data.hangupAfterSpeak };
    case 'CallEnded':
      return { ...s, status: 'Ended', outcome: event.data.outcome, endedAt: event.data.occurredAt };
    case 'CallDispositionRecorded':
      return { ...s, dispositions: { ...s.dispositions, [event.data.agentId]: { disposition: event.data.disposition, notes: event.data.notes } } };
    case 'CallBackStarted':
      return s;
    default: {
      const _exhaustive: never = event;
      return s;
    }
  }
};

export const liveLeg = (state: CallTracking, callControlId: string | null): Leg | undefined => {
  if (!callControlId) return undefined;
  const leg = state.legs[callControlId];
  return leg && leg.status !== 'ended' ? leg : undefined;
};

export const offerLegOf = (state: CallTracking, offerId: string, agentId: string): Leg | undefined =>
  Object.values(state.legs).find((leg) => leg.offerId === offerId && leg.agentId === agentId);

import { JSONScalar as GraphQLJSON } from '../../graphql/jsonScalar';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { timelineItem, type CallHistoryDoc, type TimelineEntry as TimelineEntryView, type TransferView } from '../../../projections/call-history/callHistoryView';
import { CallDirectionEnum, ConnectionViaEnum } from '../../agents/graphql/agentTypes';
import { SkillRequirement } from '../../queues/queueTypes';

export const CallOutcomeEnum = {
  IN_PROGRESS: 'in-progress',
  ANSWERED: 'answered',
  ABANDONED: 'abandoned',
  VOICEMAIL: 'voicemail',
  TRANSFERRED: 'transferred',
  AFTER_HOURS: 'after-hours',
  CALLBACK: 'callback',
  OUTBOUND: 'outbound',
  MAX_WAIT: 'max-wait',
  ENDED_IN_IVR: 'ended-in-ivr',
  REJECTED: 'rejected',
} as const;
registerEnumType(CallOutcomeEnum, { name: 'CallOutcome', description: 'How a call ended, as the history filters it (IN_PROGRESS until it ends).' });

export const CallStatusEnum = { IN_PROGRESS: 'in-progress', ENDED: 'ended' } as const;
registerEnumType(CallStatusEnum, { name: 'CallStatus' });

export const LegRoleEnum = { CUSTOMER: 'customer', AGENT: 'agent', SUPERVISOR: 'supervisor', CONSULT: 'consult', OUTBOUND: 'outbound' } as const;
registerEnumType(LegRoleEnum, { name: 'LegRole' });

export const LegStatusEnum = { INITIATED: 'initiated', ANSWERED: 'answered', BRIDGED: 'bridged', ENDED: 'ended' } as const;
registerEnumType(LegStatusEnum, { name: 'LegStatus' });

export const OfferOutcomeEnum = { RINGING: 'ringing', ACCEPTED: 'accepted', REJECTED: 'rejected', MISSED: 'missed', CANCELLED: 'cancelled' } as const;
registerEnumType(OfferOutcomeEnum, { name: 'OfferOutcome' });

export const OfferPurposeEnum = { QUEUE: 'queue', CALLBACK: 'callback', CONSULT: 'consult' } as const;
registerEnumType(OfferPurposeEnum, { name: 'OfferPurpose' });

export const TransferModeEnum = { BLIND: 'blind', WARM: 'warm' } as const;
registerEnumType(TransferModeEnum, { name: 'TransferMode', description: 'BLIND hands the call over at once; WARM consults the target first.' });

export const TransferStatusEnum = { REQUESTED: 'requested', CONSULTING: 'consulting', COMPLETED: 'completed', CANCELLED: 'cancelled', TRANSFERRED_OUT: 'transferred-out' } as const;
registerEnumType(TransferStatusEnum, { name: 'TransferStatus' });

export const RecordingKindEnum = { CALL: 'call', VOICEMAIL: 'voicemail' } as const;
registerEnumType(RecordingKindEnum, { name: 'RecordingKind' });

export const RecordingStatusEnum = { REQUESTED: 'requested', STORED: 'stored', FAILED: 'failed' } as const;
registerEnumType(RecordingStatusEnum, { name: 'RecordingStatus', description: 'STORED once the audio is in the recording store (only then can it be downloaded).' });

export const LiveRecordingEnum = { ON: 'on', PAUSED: 'paused', OFF: 'off' } as const;
registerEnumType(LiveRecordingEnum, { name: 'LiveRecording' });

export const TranscriptTrackEnum = { INBOUND: 'inbound', OUTBOUND: 'outbound' } as const;
registerEnumType(TranscriptTrackEnum, { name: 'TranscriptTrack' });

@ObjectType({ description: 'Who called: the number, the CRM record and how often they called before (the screen pop).', simpleResolvers: true })
export class CallCaller {
  @Field(() => String, { nullable: true })
  number!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The CRM contact (contactId, name, account, email, tier, language, notes, tags, phoneNumbers).' })
  contact!: unknown;

  @Field(() => Int)
  previousCalls!: number;
}

@ObjectType({ simpleResolvers: true })
export class AfterHours {
  @Field(() => String)
  hoursId!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => Boolean)
  voicemail!: boolean;
}

@ObjectType({ description: 'A choice the caller made in the IVR.', simpleResolvers: true })
export class IvrSelection {
  @Field(() => String)
  menuId!: string;

  @Field(() => String, { nullable: true })
  digits!: string | null;

  @Field(() => String)
  label!: string;

  @Field(() => String)
  action!: string;

  @Field(() => Boolean, { description: 'Taken by the menu default (no or invalid input).' })
  byDefault!: boolean;

  @Field(() => Date)
  at!: string;
}

@ObjectType({ simpleResolvers: true })
export class CallIvr {
  @Field(() => String, { nullable: true })
  entryMenuId!: string | null;

  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => Date, { nullable: true })
  startedAt!: string | null;

  @Field(() => Date, { nullable: true })
  endedAt!: string | null;

  @Field(() => [IvrSelection])
  selections!: IvrSelection[];

  @Field(() => Int)
  rejectedInputs!: number;
}

@ObjectType({ simpleResolvers: true })
export class CallRoutingAttributes {
  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => String, { nullable: true })
  department!: string | null;

  @Field(() => [SkillRequirement])
  skills!: SkillRequirement[];

  @Field(() => Int, { nullable: true })
  priority!: number | null;
}

@ObjectType({ description: 'One stay of the call in a queue.', simpleResolvers: true })
export class QueueVisit {
  @Field(() => ID)
  entryId!: string;

  @Field(() => String)
  queueId!: string;

  @Field(() => String)
  kind!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  fromQueueId!: string | null;

  @Field(() => Int)
  priority!: number;

  @Field(() => Date)
  enqueuedAt!: string;

  @Field(() => Date)
  queueEnteredAt!: string;

  @Field(() => Date, { nullable: true })
  leftAt!: string | null;

  @Field(() => String, { nullable: true })
  leftReason!: string | null;

  @Field(() => Int, { nullable: true })
  waitedSeconds!: number | null;

  @Field(() => Int, { nullable: true })
  queueWaitedSeconds!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class CallbackRequest {
  @Field(() => String)
  number!: string;

  @Field(() => Date)
  requestedAt!: string;

  @Field(() => String)
  via!: string;

  @Field(() => Int)
  failedAttempts!: number;
}

@ObjectType({ simpleResolvers: true })
export class OfferedAgent {
  @Field(() => String)
  agentId!: string;

  @Field(() => OfferOutcomeEnum)
  outcome!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Date, { nullable: true })
  at!: string | null;
}

@ObjectType({ description: 'An offer of the call to one or more agents.', simpleResolvers: true })
export class CallOffer {
  @Field(() => ID)
  offerId!: string;

  @Field(() => OfferPurposeEnum)
  purpose!: string;

  @Field(() => String)
  strategy!: string;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => ID, { nullable: true })
  decisionId!: string | null;

  @Field(() => Date)
  at!: string;

  @Field(() => Date)
  expiresAt!: string;

  @Field(() => [OfferedAgent])
  agents!: OfferedAgent[];
}

@ObjectType({ description: 'An agent the router looked at, and why it was or was not chosen.', simpleResolvers: true })
export class RoutingCandidate {
  @Field(() => String)
  agentId!: string;

  @Field(() => Boolean)
  eligible!: boolean;

  @Field(() => Boolean)
  chosen!: boolean;

  @Field(() => [String])
  reasons!: string[];

  @Field(() => Date, { nullable: true })
  idleSince!: string | null;

  @Field(() => Float, { nullable: true })
  score!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class ReasonCount {
  @Field(() => String)
  reason!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'A routing decision: who was chosen, who was not and why, or why the call kept waiting.', simpleResolvers: true })
export class RoutingDecision {
  @Field(() => ID)
  decisionId!: string;

  @Field(() => String, { description: 'Event-store position of the decision (a decimal string).' })
  position!: string;

  @Field(() => Date)
  at!: string;

  @Field(() => String)
  queueId!: string;

  @Field(() => String)
  strategy!: string;

  @Field(() => Int, { description: "The call's rank among the waiting calls." })
  rank!: number;

  @Field(() => Int)
  priority!: number;

  @Field(() => Int)
  waitedSeconds!: number;

  @Field(() => [String])
  chosen!: string[];

  @Field(() => String, { nullable: true, description: 'Why nobody was chosen (null when an agent was).' })
  waitingReason!: string | null;

  @Field(() => Int)
  considered!: number;

  @Field(() => Int)
  eligible!: number;

  @Field(() => [RoutingCandidate], { description: 'The chosen and eligible candidates first, up to ten; the others are counted in ineligibleReasons.' })
  candidates!: RoutingCandidate[];

  @Field(() => [ReasonCount], { description: 'Agents not eligible, counted by reason (e.g. "busy (OnCall)").' })
  ineligibleReasons!: ReasonCount[];
}

@ObjectType({ description: "An agent's time on the call.", simpleResolvers: true })
export class CallConnection {
  @Field(() => String)
  agentId!: string;

  @Field(() => ConnectionViaEnum)
  via!: string;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => Date)
  connectedAt!: string;

  @Field(() => Date, { nullable: true })
  disconnectedAt!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Int, { nullable: true })
  talkSeconds!: number | null;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Date, { nullable: true, description: 'Set while the customer is on hold for this agent.' })
  heldSince!: string | null;

  @Field(() => Int, { nullable: true })
  wrapUpSeconds!: number | null;
}

@ObjectType({ description: 'Exactly one of agentId, queueId and number is set.', simpleResolvers: true })
export class TransferTargetView {
  @Field(() => String, { nullable: true })
  agentId!: string | null;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => String, { nullable: true })
  number!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CallTransfer {
  @Field(() => ID)
  transferId!: string;

  @Field(() => TransferModeEnum)
  mode!: string;

  @Field(() => TransferTargetView)
  target!: TransferTargetView;

  @Field(() => String)
  fromAgentId!: string;

  @Field(() => Date)
  requestedAt!: string;

  @Field(() => TransferStatusEnum)
  status!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Date)
  at!: string;
}

@ObjectType({ description: 'A recording of the call or a voicemail. Download it through recordingUrl once STORED.', simpleResolvers: true })
export class CallRecording {
  @Field(() => ID)
  recordingId!: string;

  @Field(() => RecordingKindEnum)
  kind!: string;

  @Field(() => RecordingStatusEnum)
  status!: string;

  @Field(() => Date, { nullable: true })
  startedAt!: string | null;

  @Field(() => Date, { nullable: true })
  endedAt!: string | null;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => String, { nullable: true })
  channels!: string | null;

  @Field(() => String, { nullable: true })
  contentType!: string | null;

  @Field(() => Int, { nullable: true })
  sizeBytes!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CallVoicemail {
  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => ID, { nullable: true })
  recordingId!: string | null;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => Date)
  startedAt!: string;

  @Field(() => Date, { nullable: true })
  recordedAt!: string | null;
}

@ObjectType({ description: 'A line of the live transcript.', simpleResolvers: true })
export class TranscriptLine {
  @Field(() => Date)
  at!: string;

  @Field(() => TranscriptTrackEnum, { nullable: true, description: 'INBOUND is the caller, OUTBOUND the agent side.' })
  track!: string | null;

  @Field(() => String)
  text!: string;

  @Field(() => Float, { nullable: true })
  confidence!: number | null;
}

@ObjectType({ description: "An agent calling the call's caller back from it.", simpleResolvers: true })
export class CallBackAttempt {
  @Field(() => String)
  agentId!: string;

  @Field(() => String, { description: 'The number called back.' })
  number!: string;

  @Field(() => Date)
  at!: string;
}

@ObjectType({ simpleResolvers: true })
export class CallDisposition {
  @Field(() => String)
  agentId!: string;

  @Field(() => String)
  disposition!: string;

  @Field(() => String)
  notes!: string;

  @Field(() => Date)
  at!: string;
}

@ObjectType({ simpleResolvers: true })
export class CallSupervision {
  @Field(() => String)
  supervisorId!: string;

  @Field(() => String, { description: 'monitor, whisper or barge' })
  mode!: string;

  @Field(() => Date)
  startedAt!: string;

  @Field(() => Date, { nullable: true })
  endedAt!: string | null;
}

@ObjectType({ description: 'A Telnyx call leg of the call.', simpleResolvers: true })
export class CallLeg {
  @Field(() => ID)
  callControlId!: string;

  @Field(() => String, { nullable: true })
  callLegId!: string | null;

  @Field(() => LegRoleEnum)
  role!: string;

  @Field(() => String, { nullable: true })
  agentId!: string | null;

  @Field(() => LegStatusEnum)
  status!: string;

  @Field(() => Date, { nullable: true })
  initiatedAt!: string | null;

  @Field(() => Date, { nullable: true })
  answeredAt!: string | null;

  @Field(() => Date, { nullable: true })
  endedAt!: string | null;

  @Field(() => String, { nullable: true })
  hangupCause!: string | null;

  @Field(() => String, { nullable: true })
  hangupSource!: string | null;

  @Field(() => Date)
  lastEventAt!: string;
}

@ObjectType({ simpleResolvers: true })
export class WebhookReference {
  @Field(() => String)
  webhookId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String, { nullable: true, deprecationReason: 'The call document no longer keeps it: read the webhook from eventHistory by the entry position. Always null.' })
  callControlId!: string | null;

  @Field(() => String, { nullable: true, description: 'The stream of the original when this is a linked copy.' })
  linkedFrom!: string | null;
}

@ObjectType({ description: 'One recorded event of the call; its position finds the full event (raw webhook included) in eventHistory.', simpleResolvers: true })
export class TimelineEntry {
  @Field(() => String)
  position!: string;

  @Field(() => Date)
  at!: string;

  @Field(() => String)
  type!: string;

  @Field(() => String)
  summary!: string;

  @Field(() => ID, { nullable: true, deprecationReason: 'The call document no longer keeps it: find the event in eventHistory by position. Always null.' })
  eventId!: string | null;

  @Field(() => WebhookReference, { nullable: true })
  webhook!: WebhookReference | null;

  static from(entry: TimelineEntryView): TimelineEntry {
    const item = timelineItem(entry);
    return {
      position: item.position,
      at: item.at,
      type: item.type,
      summary: item.summary,
      eventId: null,
      webhook: item.webhook ? { webhookId: item.webhook.id, eventType: item.webhook.eventType, callControlId: null, linkedFrom: item.webhook.linkedFrom } : null,
    };
  }
}

@ObjectType({ simpleResolvers: true })
export class CallDurations {
  @Field(() => Int, { nullable: true })
  ivrSeconds!: number | null;

  @Field(() => Int, { nullable: true })
  waitSeconds!: number | null;

  @Field(() => Int)
  talkSeconds!: number;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int)
  wrapUpSeconds!: number;
}

const transferView = (t: TransferView): CallTransfer =>
  Object.assign(new CallTransfer(), {
    transferId: t.transferId,
    mode: t.kind,
    target: {
      agentId: t.target.kind === 'agent' ? t.target.agentId : null,
      queueId: t.target.kind === 'queue' ? t.target.queueId : null,
      number: t.target.kind === 'number' ? t.target.number : null,
    },
    fromAgentId: t.fromAgentId,
    requestedAt: t.requestedAt,
    status: t.status,
    reason: t.reason,
    at: t.at,
  });

/** The latest of the given event types in the timeline. */
const lastOf = (timeline: readonly TimelineEntryView[], types: readonly string[]): string | null => {
  // Entries are [position, at, type, summary, …].
  for (let i = timeline.length - 1; i >= 0; i--) if (types.includes(timeline[i][2])) return timeline[i][2];
  return null;
};

const liveRecordingOf = (timeline: readonly TimelineEntryView[]): 'on' | 'paused' | 'off' => {
  switch (lastOf(timeline, ['RecordingStarted', 'RecordingResumed', 'RecordingPaused', 'RecordingStopped'])) {
    case 'RecordingStarted':
    case 'RecordingResumed':
      return 'on';
    case 'RecordingPaused':
      return 'paused';
    default:
      return 'off';
  }
};

export const routingDecisionsOf = (doc: CallHistoryDoc): RoutingDecision[] =>
  doc.decisions.map((d) =>
    Object.assign(new RoutingDecision(), {
      ...d,
      ineligibleReasons: Object.entries(d.ineligibleReasons).map(([reason, count]) => ({ reason, count })),
    }),
  );

@ObjectType({ description: "One call's document: legs, caller, IVR choices, queues, offers, routing decisions, recordings, voicemail, transcript, disposition, outcome and timeline.", simpleResolvers: true })
export class Call {
  @Field(() => ID)
  id!: string;

  @Field(() => CallDirectionEnum, { nullable: true })
  direction!: string | null;

  @Field(() => CallStatusEnum)
  status!: string;

  @Field(() => Date, { nullable: true })
  startedAt!: string | null;

  @Field(() => Date, { nullable: true, description: 'First time an agent was connected.' })
  answeredAt!: string | null;

  @Field(() => Date, { nullable: true })
  endedAt!: string | null;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => String, { nullable: true })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;

  @Field(() => String, { nullable: true, description: 'The outside party: the caller of an inbound call, the destination of an outbound call.' })
  callerNumber!: string | null;

  @Field(() => CallCaller)
  caller!: CallCaller;

  @Field(() => CallOutcomeEnum)
  outcome!: string;

  @Field(() => String, { nullable: true, description: 'The detailed outcome (completed, abandoned-in-ivr, outbound-failed…).' })
  endOutcome!: string | null;

  @Field(() => String, { nullable: true })
  closingReason!: string | null;

  @Field(() => String, { nullable: true })
  hangupCause!: string | null;

  @Field(() => String, { nullable: true })
  hangupSource!: string | null;

  @Field(() => AfterHours, { nullable: true })
  afterHours!: AfterHours | null;

  @Field(() => CallIvr)
  ivr!: CallIvr;

  @Field(() => CallRoutingAttributes)
  attributes!: CallRoutingAttributes;

  @Field(() => String, { nullable: true, description: 'The last queue the call waited in.' })
  queueId!: string | null;

  @Field(() => [QueueVisit])
  queues!: QueueVisit[];

  @Field(() => CallbackRequest, { nullable: true })
  callback!: CallbackRequest | null;

  @Field(() => [CallOffer])
  offers!: CallOffer[];

  @Field(() => [String])
  agentsOffered!: string[];

  @Field(() => String, { nullable: true, description: 'The first agent connected.' })
  answeredBy!: string | null;

  @Field(() => String, { nullable: true, description: 'The last agent connected.' })
  agentId!: string | null;

  @Field(() => [String], { description: 'Every agent connected, in order.' })
  agentIds!: string[];

  @Field(() => [CallConnection])
  connections!: CallConnection[];

  @Field(() => [RoutingDecision])
  decisions!: RoutingDecision[];

  @Field(() => [CallTransfer])
  transfers!: CallTransfer[];

  @Field(() => CallDurations)
  durations!: CallDurations;

  @Field(() => Boolean, { description: 'The customer is on hold now.' })
  held!: boolean;

  @Field(() => LiveRecordingEnum, { description: 'Whether the call is being recorded now.' })
  recording!: string;

  @Field(() => Boolean, { description: 'Live transcription is running now.' })
  transcribing!: boolean;

  @Field(() => [CallRecording])
  recordings!: CallRecording[];

  @Field(() => CallVoicemail, { nullable: true })
  voicemail!: CallVoicemail | null;

  @Field(() => [TranscriptLine])
  transcript!: TranscriptLine[];

  @Field(() => [CallDisposition])
  dispositions!: CallDisposition[];

  @Field(() => [CallBackAttempt], { description: "Agents who called this call's caller back from it; the outbound calls name this call in callBackOf." })
  callBacks!: CallBackAttempt[];

  @Field(() => ID, { nullable: true, description: 'For an outbound call placed as a call back: the earlier call it calls back.' })
  callBackOf!: string | null;

  @Field(() => [CallSupervision])
  supervision!: CallSupervision[];

  @Field(() => [CallLeg])
  legs!: CallLeg[];

  @Field(() => [TimelineEntry])
  timeline!: TimelineEntry[];

  @Field(() => Date, { nullable: true })
  lastEventAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Read-model position of this document (a decimal string).' })
  version!: string | null;

  static from(doc: CallHistoryDoc): Call {
    return Object.assign(new Call(), {
      id: doc.callId,
      direction: doc.direction,
      status: doc.status,
      startedAt: doc.startedAt,
      answeredAt: doc.answeredAt,
      endedAt: doc.endedAt,
      durationSeconds: doc.durationSeconds,
      from: doc.from,
      to: doc.to,
      callerNumber: doc.callerNumber,
      caller: { number: doc.callerNumber, name: doc.caller.name, contact: doc.caller.contact, previousCalls: doc.caller.previousCalls },
      outcome: doc.outcome,
      endOutcome: doc.endOutcome,
      closingReason: doc.closingReason,
      hangupCause: doc.hangupCause,
      hangupSource: doc.hangupSource,
      afterHours: doc.afterHours,
      ivr: doc.ivr,
      attributes: doc.attributes,
      queueId: doc.queueId,
      queues: doc.queues,
      callback: doc.callback,
      offers: doc.offers,
      agentsOffered: doc.agentsOffered,
      answeredBy: doc.answeredBy,
      agentId: doc.agentId,
      agentIds: doc.agentIds,
      connections: doc.connections,
      decisions: routingDecisionsOf(doc),
      transfers: doc.transfers.map(transferView),
      durations: doc.durations,
      held: doc.connections.some((c) => c.disconnectedAt === null && c.heldSince !== null),
      recording: doc.status === 'in-progress' ? liveRecordingOf(doc.timeline) : 'off',
      transcribing: doc.status === 'in-progress' && lastOf(doc.timeline, ['TranscriptionStarted', 'TranscriptionStopped']) === 'TranscriptionStarted',
      recordings: doc.recordings,
      voicemail: doc.voicemail,
      transcript: doc.transcript,
      dispositions: doc.dispositions,
      // Documents written before call backs were recorded have neither field.
      callBacks: doc.callBacks ?? [],
      callBackOf: doc.callBackOf ?? null,
      supervision: doc.supervision,
      legs: doc.legs,
      timeline: doc.timeline.map((entry) => TimelineEntry.from(entry)),
      lastEventAt: doc.lastEventAt,
      version: doc._position === undefined ? null : doc._position.toString(),
    });
  }
}

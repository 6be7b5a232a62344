import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { QueueViewDoc, WaitingCallView } from '../../projections/queue/queueView';

export const WaitingKindEnum = { CALL: 'call', CALLBACK: 'callback' } as const;
registerEnumType(WaitingKindEnum, { name: 'WaitingKind', description: 'A caller on the line, or a pending callback keeping its place.' });

export const WaitingStateEnum = { WAITING: 'waiting', RINGING: 'ringing' } as const;
registerEnumType(WaitingStateEnum, { name: 'WaitingState', description: '`RINGING` while an offer to agents is open.' });

@ObjectType({ simpleResolvers: true })
export class SkillRequirement {
  @Field(() => String)
  skill!: string;

  @Field(() => Int)
  minLevel!: number;
}

@ObjectType({ description: 'What the IVR learned about the caller: routing attributes.', simpleResolvers: true })
export class CallAttributes {
  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => String, { nullable: true })
  department!: string | null;

  @Field(() => [SkillRequirement])
  skills!: SkillRequirement[];
}

@ObjectType({ simpleResolvers: true })
export class CallerIdentity {
  @Field(() => String, { nullable: true })
  number!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType({ description: 'The open offer of a waiting call.', simpleResolvers: true })
export class WaitingCallOffer {
  @Field(() => ID)
  offerId!: string;

  @Field(() => [String])
  agentIds!: string[];

  @Field(() => Date)
  offeredAt!: string;

  @Field(() => Date)
  expiresAt!: string;
}

@ObjectType({ simpleResolvers: true })
export class QueueAnnouncement {
  @Field(() => Int)
  position!: number;

  @Field(() => Int)
  ewtSeconds!: number;

  @Field(() => Date)
  at!: string;
}

@ObjectType({ description: 'A call waiting in a queue (or a pending callback keeping its place).', simpleResolvers: true })
export class WaitingCall {
  @Field(() => ID)
  callId!: string;

  @Field(() => ID)
  entryId!: string;

  @Field(() => Int, { description: '1-based, in routing order: priority (desc), then the original enqueue time.' })
  position!: number;

  @Field(() => WaitingKindEnum)
  kind!: string;

  @Field(() => WaitingStateEnum)
  state!: string;

  @Field(() => Int)
  priority!: number;

  @Field(() => Date, { description: 'The original enqueue time (kept across overflow, transfers and callbacks).' })
  enqueuedAt!: string;

  @Field(() => Date, { description: 'When the call entered this queue.' })
  queueEnteredAt!: string;

  @Field(() => Int, { description: "Seconds since enqueuedAt, as of the view's asOf (or of the request, on a query)." })
  waitedSeconds!: number;

  @Field(() => Int, { description: 'Estimated wait (Erlang C / AHT based).' })
  estimatedWaitSeconds!: number;

  @Field(() => String, { description: 'How the call got here: ivr, ivr-default, callback, overflow, transfer…' })
  reason!: string;

  @Field(() => String, { nullable: true })
  fromQueueId!: string | null;

  @Field(() => String, { nullable: true, description: 'Set when the call waits for one agent (a transfer to an agent).' })
  targetAgentId!: string | null;

  @Field(() => String, { nullable: true })
  callbackNumber!: string | null;

  @Field(() => CallAttributes)
  attributes!: CallAttributes;

  @Field(() => CallerIdentity)
  caller!: CallerIdentity;

  @Field(() => String, { nullable: true, description: 'Why nobody was chosen at the latest routing decision (null once an agent was chosen).' })
  waitingReason!: string | null;

  @Field(() => WaitingCallOffer, { nullable: true })
  offer!: WaitingCallOffer | null;

  @Field(() => QueueAnnouncement, { nullable: true })
  lastAnnouncement!: QueueAnnouncement | null;

  static from(call: WaitingCallView): WaitingCall {
    return Object.assign(new WaitingCall(), call);
  }
}

@ObjectType({ description: "Agents whose profile serves the queue, by what they are doing now.", simpleResolvers: true })
export class QueueAgentCounters {
  @Field(() => Int, { description: 'Every agent whose profile serves the queue, logged in or not.' })
  serving!: number;

  @Field(() => Int)
  loggedIn!: number;

  @Field(() => Int, { description: 'Available and idle (registered or not).' })
  available!: number;

  @Field(() => Int, { description: 'Available, idle and registered: the agents the router can pick now.' })
  ready!: number;

  @Field(() => Int, { description: 'Reserved for an offer or ringing.' })
  ringing!: number;

  @Field(() => Int)
  onCall!: number;

  @Field(() => Int)
  wrapUp!: number;

  @Field(() => Int, { description: 'On break and idle.' })
  break!: number;

  @Field(() => Int)
  offline!: number;
}

@ObjectType({ description: 'A queue: its waiting calls and counters.' })
export class Queue {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Boolean, { description: 'False for a queue that received calls without being configured, or that was removed.' })
  configured!: boolean;

  @Field(() => String, { nullable: true })
  strategy!: string | null;

  @Field(() => Int, { nullable: true })
  priority!: number | null;

  @Field(() => Int, { nullable: true })
  serviceLevelThresholdSeconds!: number | null;

  /** Resolved by `QueueFieldsResolver.calls`, which takes `first`. */
  waitingCalls!: WaitingCall[];

  @Field(() => Int, { description: 'Calls waiting (ringing included).' })
  waiting!: number;

  @Field(() => Int)
  ringing!: number;

  @Field(() => Int, { description: 'Pending callbacks.' })
  callbacks!: number;

  @Field(() => Int, { description: 'Oldest wait among the callers on the line, as of asOf.' })
  longestWaitSeconds!: number;

  @Field(() => Date, { nullable: true })
  oldestEnqueuedAt!: string | null;

  @Field(() => QueueAgentCounters)
  agents!: QueueAgentCounters;

  @Field(() => Int, { description: 'Handle time used for estimated waits.' })
  ahtSeconds!: number;

  @Field(() => Date, { nullable: true, description: 'Time of the latest event applied (waits are computed at this instant unless the request says otherwise).' })
  asOf!: string | null;

  @Field(() => String, { nullable: true, description: 'Read-model position of this view (a decimal string).' })
  version!: string | null;

  static from(doc: QueueViewDoc): Queue {
    return Object.assign(new Queue(), {
      id: doc.queueId,
      name: doc.name,
      configured: doc.configured,
      strategy: doc.strategy,
      priority: doc.priority,
      serviceLevelThresholdSeconds: doc.serviceLevelThresholdSeconds,
      waitingCalls: doc.calls.map((c) => WaitingCall.from(c)),
      waiting: doc.waiting,
      ringing: doc.ringing,
      callbacks: doc.callbacks,
      longestWaitSeconds: doc.longestWaitSeconds,
      oldestEnqueuedAt: doc.oldestEnqueuedAt,
      agents: doc.agents,
      ahtSeconds: Math.round(doc.ahtSeconds),
      asOf: doc.asOf,
      version: doc._position === undefined ? null : doc._position.toString(),
    });
  }
}

@ObjectType({ description: 'A pending callback and its place in its queue.', simpleResolvers: true })
export class PendingCallback {
  @Field(() => ID)
  callId!: string;

  @Field(() => String)
  queueId!: string;

  @Field(() => Int)
  position!: number;

  @Field(() => String, { nullable: true })
  number!: string | null;

  @Field(() => CallerIdentity)
  caller!: CallerIdentity;

  @Field(() => Date)
  enqueuedAt!: string;

  @Field(() => Int)
  waitedSeconds!: number;

  @Field(() => Int)
  estimatedWaitSeconds!: number;

  @Field(() => WaitingStateEnum)
  state!: string;

  static from(call: WaitingCallView & { queueId: string }): PendingCallback {
    return Object.assign(new PendingCallback(), {
      callId: call.callId,
      queueId: call.queueId,
      position: call.position,
      number: call.callbackNumber,
      caller: call.caller,
      enqueuedAt: call.enqueuedAt,
      waitedSeconds: call.waitedSeconds,
      estimatedWaitSeconds: call.estimatedWaitSeconds,
      state: call.state,
    });
  }
}

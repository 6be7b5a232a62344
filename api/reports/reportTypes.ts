import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AgentMetrics, QueueMetrics, StateSeconds } from '../../projections/reports/reportViews';

export const ReportScopeEnum = { QUEUE: 'queue', AGENT: 'agent' } as const;
export type ReportScope = (typeof ReportScopeEnum)[keyof typeof ReportScopeEnum];
registerEnumType(ReportScopeEnum, { name: 'ReportScope' });

export const GranularityEnum = { INTERVAL: 'interval', DAY: 'day' } as const;
export type Granularity = (typeof GranularityEnum)[keyof typeof GranularityEnum];
registerEnumType(GranularityEnum, { name: 'ReportGranularity', description: 'INTERVAL: 15-minute intervals; DAY: calendar days in the center time zone.' });

@ObjectType({ description: 'Seconds agents spent in each state.', simpleResolvers: true })
export class StateSecondsView {
  @Field(() => Int, { description: 'Available and idle.' })
  idle!: number;

  @Field(() => Int, { description: 'Reserved for an offer or ringing.' })
  ringing!: number;

  @Field(() => Int)
  onCall!: number;

  @Field(() => Int)
  wrapUp!: number;

  @Field(() => Int)
  break!: number;
}

@ObjectType({ description: 'How calls entered the queue.', simpleResolvers: true })
export class OfferedBy {
  @Field(() => Int)
  ivr!: number;

  @Field(() => Int)
  ivrDefault!: number;

  @Field(() => Int)
  callback!: number;

  @Field(() => Int)
  overflow!: number;

  @Field(() => Int)
  transfer!: number;
}

@ObjectType({ description: 'Ways out of the queue other than answered and abandoned.', simpleResolvers: true })
export class QueueExits {
  @Field(() => Int)
  overflow!: number;

  @Field(() => Int)
  voicemail!: number;

  @Field(() => Int)
  maxWait!: number;

  @Field(() => Int)
  transfer!: number;

  @Field(() => Int)
  callbackFailed!: number;

  @Field(() => Int)
  hungUp!: number;
}

@ObjectType({ description: "A queue's figures for an interval or a day (docs/reports.md defines each).", simpleResolvers: true })
export class QueueFigures {
  @Field(() => Int)
  offered!: number;

  @Field(() => OfferedBy)
  offeredBy!: OfferedBy;

  @Field(() => Int)
  answered!: number;

  @Field(() => Int)
  answeredWithinThreshold!: number;

  @Field(() => Int)
  abandoned!: number;

  @Field(() => Int, { description: 'Abandoned within 5 seconds.' })
  shortAbandoned!: number;

  @Field(() => Int)
  abandonedAfterThreshold!: number;

  @Field(() => QueueExits)
  exits!: QueueExits;

  @Field(() => Int)
  longestWaitSeconds!: number;

  @Field(() => Int)
  handled!: number;

  @Field(() => Int)
  talkSeconds!: number;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int)
  wrapUpSeconds!: number;

  @Field(() => StateSecondsView)
  agentSeconds!: StateSecondsView;

  @Field(() => Int, { nullable: true })
  serviceLevelThresholdSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: '0..1' })
  serviceLevel!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average speed of answer.' })
  asaSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: '0..1, short abandons excluded.' })
  abandonRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average handle time (talk + hold + wrap-up).' })
  ahtSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: '0..1' })
  occupancy!: number | null;
}

@ObjectType({ description: "An agent's figures for an interval or a day.", simpleResolvers: true })
export class AgentFigures {
  @Field(() => Int)
  offers!: number;

  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  missed!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => Int)
  handled!: number;

  @Field(() => Int)
  inbound!: number;

  @Field(() => Int)
  outbound!: number;

  @Field(() => Int)
  talkSeconds!: number;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int)
  wrapUpSeconds!: number;

  @Field(() => StateSecondsView)
  stateSeconds!: StateSecondsView;

  @Field(() => Int)
  loggedInSeconds!: number;

  @Field(() => Float, { nullable: true })
  ahtSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: '0..1' })
  occupancy!: number | null;
}

@ObjectType({ description: 'One interval or day of a queue or an agent. `queue` is set for QUEUE reports, `agent` for AGENT reports.', simpleResolvers: true })
export class ReportRow {
  @Field(() => ReportScopeEnum)
  scope!: ReportScope;

  @Field(() => String, { description: 'The queue or agent id.' })
  id!: string;

  @Field(() => GranularityEnum)
  granularity!: Granularity;

  @Field(() => Date, { description: 'Start of the interval; for a DAY row, midnight UTC of `date`.' })
  start!: string;

  @Field(() => Date, { nullable: true, description: 'End of the interval (null for a DAY row).' })
  end!: string | null;

  @Field(() => String, { description: 'Calendar date in the center time zone, YYYY-MM-DD.' })
  date!: string;

  @Field(() => QueueFigures, { nullable: true })
  queue!: QueueFigures | null;

  @Field(() => AgentFigures, { nullable: true })
  agent!: AgentFigures | null;
}

export const queueFigures = (m: QueueMetrics): QueueFigures => Object.assign(new QueueFigures(), pickQueue(m));
export const agentFigures = (m: AgentMetrics): AgentFigures => Object.assign(new AgentFigures(), pickAgent(m));

const stateSeconds = (s: StateSeconds): StateSecondsView => ({ idle: s.idle, ringing: s.ringing, onCall: s.onCall, wrapUp: s.wrapUp, break: s.break });

const pickQueue = (m: QueueMetrics): QueueMetrics => ({
  offered: m.offered,
  offeredBy: m.offeredBy,
  answered: m.answered,
  answeredWithinThreshold: m.answeredWithinThreshold,
  abandoned: m.abandoned,
  shortAbandoned: m.shortAbandoned,
  abandonedAfterThreshold: m.abandonedAfterThreshold,
  exits: m.exits,
  answeredWaitSeconds: m.answeredWaitSeconds,
  longestWaitSeconds: m.longestWaitSeconds,
  handled: m.handled,
  talkSeconds: m.talkSeconds,
  holdSeconds: m.holdSeconds,
  wrapUpSeconds: m.wrapUpSeconds,
  agentSeconds: stateSeconds(m.agentSeconds),
  serviceLevelThresholdSeconds: m.serviceLevelThresholdSeconds,
  serviceLevel: m.serviceLevel,
  asaSeconds: m.asaSeconds,
  abandonRate: m.abandonRate,
  ahtSeconds: m.ahtSeconds,
  occupancy: m.occupancy,
});

const pickAgent = (m: AgentMetrics): AgentMetrics => ({
  offers: m.offers,
  accepted: m.accepted,
  missed: m.missed,
  rejected: m.rejected,
  handled: m.handled,
  inbound: m.inbound,
  outbound: m.outbound,
  talkSeconds: m.talkSeconds,
  holdSeconds: m.holdSeconds,
  wrapUpSeconds: m.wrapUpSeconds,
  stateSeconds: stateSeconds(m.stateSeconds),
  loggedInSeconds: m.loggedInSeconds,
  ahtSeconds: m.ahtSeconds,
  occupancy: m.occupancy,
});

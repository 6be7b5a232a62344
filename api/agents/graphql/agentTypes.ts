import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AgentView } from '../../../projections/agent-idle-time/agentView';

export const AgentStatusEnum = { OFFLINE: 'Offline', AVAILABLE: 'Available', BREAK: 'Break' } as const;
export type AgentStatusValue = (typeof AgentStatusEnum)[keyof typeof AgentStatusEnum];
registerEnumType(AgentStatusEnum, { name: 'AgentStatus', description: 'What the agent chose: ready for calls, on a break (with a reason), or signed out.' });

export const AgentStateEnum = {
  OFFLINE: 'Offline',
  AVAILABLE: 'Available',
  BREAK: 'Break',
  RESERVED: 'Reserved',
  RINGING: 'Ringing',
  ON_CALL: 'OnCall',
  WRAP_UP: 'WrapUp',
} as const;
registerEnumType(AgentStateEnum, { name: 'AgentState', description: 'Status and activity combined: the activity when the agent is busy, else the status.' });

export const CallDirectionEnum = { INBOUND: 'inbound', OUTBOUND: 'outbound' } as const;
registerEnumType(CallDirectionEnum, { name: 'CallDirection' });

export const ConnectionViaEnum = { QUEUE: 'queue', TRANSFER: 'transfer', CALLBACK: 'callback', OUTBOUND: 'outbound' } as const;
registerEnumType(ConnectionViaEnum, { name: 'ConnectionVia', description: 'How an agent came to be on a call.' });

@ObjectType({ description: 'The offer ringing on the agent now.', simpleResolvers: true })
export class AgentOffer {
  @Field(() => ID)
  offerId!: string;

  @Field(() => ID)
  callId!: string;

  @Field(() => Date)
  expiresAt!: string;
}

@ObjectType({ simpleResolvers: true })
export class AgentCurrentCall {
  @Field(() => ID)
  callId!: string;

  @Field(() => CallDirectionEnum)
  direction!: string;

  @Field(() => ID, { nullable: true })
  offerId!: string | null;

  @Field(() => Date)
  since!: string;

  @Field(() => String, { nullable: true, description: 'The queue the call came through (null for a consultation or before the call says).' })
  queueId!: string | null;

  @Field(() => ConnectionViaEnum, { nullable: true })
  via!: string | null;

  @Field(() => Boolean)
  held!: boolean;

  @Field(() => Date, { nullable: true })
  heldSince!: string | null;

  @Field(() => Int, { description: 'Hold time of this call so far (holds that ended).' })
  holdSeconds!: number;
}

@ObjectType({ simpleResolvers: true })
export class AgentWrapUp {
  @Field(() => ID)
  callId!: string;

  @Field(() => Date)
  since!: string;

  @Field(() => Date, { description: 'When wrap-up ends on its own.' })
  until!: string;
}

@ObjectType({ description: "The agent's softphone.", simpleResolvers: true })
export class AgentDevice {
  @Field(() => String)
  sipUsername!: string;

  @Field(() => Boolean, { description: 'Only registered agents are dialled.' })
  registered!: boolean;
}

@ObjectType({ description: "Totals of the agent's current day (in the center's time zone).", simpleResolvers: true })
export class AgentDayTotals {
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  date!: string | null;

  @Field(() => Int)
  callsHandled!: number;

  @Field(() => Int)
  inboundCalls!: number;

  @Field(() => Int)
  outboundCalls!: number;

  @Field(() => Int, { description: 'Connected time not on hold.' })
  talkSeconds!: number;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int)
  wrapUpSeconds!: number;

  @Field(() => Int)
  offersMissed!: number;

  @Field(() => Int)
  offersRejected!: number;
}

@ObjectType({ simpleResolvers: true })
export class AgentLastCall {
  @Field(() => ID)
  callId!: string;

  @Field(() => Date)
  endedAt!: string;

  @Field(() => Int)
  talkSeconds!: number;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int, { nullable: true })
  wrapUpSeconds!: number | null;
}

const secondsSince = (since: string | null, now: Date): number | null => {
  if (since === null) return null;
  const ms = Date.parse(since);
  return Number.isNaN(ms) ? null : Math.max(0, Math.round((now.getTime() - ms) / 1000));
};

@ObjectType({ description: 'An agent as the floor sees it.', simpleResolvers: true })
export class Agent {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Boolean, { description: 'The profile is a supervisor (who may monitor, whisper and barge).' })
  supervisor!: boolean;

  @Field(() => Boolean, { description: 'Has an agent profile in the configuration.' })
  configured!: boolean;

  @Field(() => AgentStatusEnum)
  status!: string;

  @Field(() => String, { nullable: true })
  breakReason!: string | null;

  @Field(() => Date, { nullable: true })
  statusSince!: string | null;

  @Field(() => AgentStateEnum)
  state!: string;

  @Field(() => Date, { nullable: true })
  stateSince!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds in the current state, as of the request (or of the change, on a subscription).' })
  timeInStateSeconds!: number | null;

  @Field(() => Date, { nullable: true, description: 'End of the last call or wrap-up; the first login before any call. Longest-idle routing orders by it.' })
  idleSince!: string | null;

  @Field(() => AgentOffer, { nullable: true })
  offer!: AgentOffer | null;

  @Field(() => AgentCurrentCall, { nullable: true })
  currentCall!: AgentCurrentCall | null;

  @Field(() => AgentWrapUp, { nullable: true })
  wrapUp!: AgentWrapUp | null;

  @Field(() => AgentDevice, { nullable: true })
  device!: AgentDevice | null;

  @Field(() => Boolean)
  muted!: boolean;

  @Field(() => Int, { description: 'Offers missed in a row (the agent is set on break after the configured maximum).' })
  missedInARow!: number;

  @Field(() => Int, { description: 'Calls handled since the agent began.' })
  callsHandled!: number;

  @Field(() => AgentDayTotals)
  today!: AgentDayTotals;

  @Field(() => AgentLastCall, { nullable: true })
  lastCall!: AgentLastCall | null;

  @Field(() => Date, { nullable: true })
  lastEventAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Read-model position of this view (a decimal string).' })
  version!: string | null;

  static from(doc: AgentView, now: Date): Agent {
    return Object.assign(new Agent(), {
      id: doc.agentId,
      name: doc.name,
      supervisor: doc.supervisor,
      configured: doc.configured,
      status: doc.status,
      breakReason: doc.breakReason,
      statusSince: doc.statusSince,
      state: doc.state,
      stateSince: doc.stateSince,
      timeInStateSeconds: secondsSince(doc.stateSince, now),
      idleSince: doc.idleSince,
      offer: doc.offer,
      currentCall: doc.currentCall,
      wrapUp: doc.wrapUp,
      device: doc.device ? { sipUsername: doc.device.sipUsername, registered: doc.device.registered } : null,
      muted: doc.muted,
      missedInARow: doc.missedInARow,
      callsHandled: doc.callsHandled,
      today: doc.today,
      lastCall: doc.lastCall,
      lastEventAt: doc.lastEventAt,
      version: doc._position === undefined ? null : doc._position.toString(),
    });
  }
}

@ObjectType({ description: 'Agents by state, for the wallboard.', simpleResolvers: true })
export class AgentStateCount {
  @Field(() => AgentStateEnum)
  state!: string;

  @Field(() => Int)
  count!: number;
}

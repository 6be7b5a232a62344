import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Agent } from '../../agents/graphql/agentTypes';
import { ActionOutcome } from '../../graphql/actions';
import { Call } from './callTypes';

export const SupervisorRoleEnum = { MONITOR: 'monitor', WHISPER: 'whisper', BARGE: 'barge' } as const;
registerEnumType(SupervisorRoleEnum, { name: 'SupervisorRole', description: 'MONITOR listens; WHISPER speaks to the agent only; BARGE joins the conversation.' });

export const AnnounceTargetEnum = { CUSTOMER: 'customer', AGENT: 'agent', BOTH: 'both' } as const;
registerEnumType(AnnounceTargetEnum, { name: 'AnnounceTarget' });

@InputType({ description: 'Exactly one of agentId, queueId and number (E.164).' })
export class TransferTargetInput {
  @Field(() => String, { nullable: true })
  agentId?: string;

  @Field(() => String, { nullable: true })
  queueId?: string;

  @Field(() => String, { nullable: true })
  number?: string;
}

@ObjectType({ description: 'An action on a call: what was appended, and the call (and the acting agent) once the read models show it.', implements: ActionOutcome, simpleResolvers: true })
export class CallActionResult extends ActionOutcome {
  @Field(() => Call, { nullable: true })
  call!: Call | null;

  @Field(() => Agent, { nullable: true, description: 'The agent the action was for, when there is one.' })
  agent!: Agent | null;
}

@ObjectType({ description: 'An outbound call the softphone is to place.', implements: ActionOutcome, simpleResolvers: true })
export class CallBackResult extends ActionOutcome {
  @Field(() => String, { description: 'The number to dial, normalised (E.164).' })
  number!: string;

  @Field(() => String, { nullable: true })
  fromCallId!: string | null;

  @Field(() => Agent, { nullable: true })
  agent!: Agent | null;
}

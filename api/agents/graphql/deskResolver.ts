import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { agentView } from '../../../projections/agent-idle-time/queries';
import { callById, callHistory } from '../../../projections/call-history/queries';
import type { CallHistoryDoc } from '../../../projections/call-history/callHistoryView';
import { requireAgentId } from '../../auth/guards';
import { Call, CallCaller, CallIvr, CallRoutingAttributes } from '../../calls/graphql/callTypes';
import { Allow } from '../../graphql/authorization';
import type { GraphQLContext } from '../../graphql/context';
import { pageSizeOf, perItem } from '../../graphql/paging';
import { TOPICS } from '../../graphql/pubSub';
import { Agent, AgentWrapUp } from './agentTypes';

@ObjectType({ description: 'The call ringing on the agent, with the screen pop: who calls, what they chose in the IVR, how long they waited, their CRM record.' })
export class DeskOffer {
  @Field(() => ID)
  offerId!: string;

  @Field(() => ID)
  callId!: string;

  @Field(() => Date)
  expiresAt!: string;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds the caller has waited in queues, as of the request.' })
  waitedSeconds!: number | null;

  @Field(() => CallCaller)
  caller!: CallCaller;

  @Field(() => CallRoutingAttributes)
  attributes!: CallRoutingAttributes;

  @Field(() => CallIvr)
  ivr!: CallIvr;

  /** For previousCalls. */
  callerNumber!: string | null;
}

@ObjectType({ description: "The agent's own desk: status, the offer ringing, the call in progress, wrap-up and recent calls." })
export class Desk {
  @Field(() => ID)
  agentId!: string;

  @Field(() => Agent, { nullable: true, description: 'Null until the agent has a view (never logged in).' })
  agent!: Agent | null;

  @Field(() => DeskOffer, { nullable: true })
  offer!: DeskOffer | null;

  @Field(() => Call, { nullable: true, description: 'The call the agent is on: state, hold, recording, transcript lines.' })
  call!: Call | null;

  @Field(() => AgentWrapUp, { nullable: true })
  wrapUp!: AgentWrapUp | null;

  @Field(() => Date, { nullable: true, description: 'When wrap-up ends on its own.' })
  wrapUpDeadline!: string | null;
}

const waitedSecondsOf = (doc: CallHistoryDoc, now: Date): number | null => {
  const first = doc.queues[0]?.enqueuedAt;
  return first ? Math.max(0, Math.round((now.getTime() - Date.parse(first)) / 1000)) : null;
};

/** The desk of an agent from the agent and call read models. */
export const readDesk = async (ctx: GraphQLContext, agentId: string): Promise<Desk> => {
  const { readModels, clock } = ctx.services;
  const now = clock();
  const view = await agentView(readModels, agentId);
  const offerCallId = view?.offer?.callId ?? null;
  const callId = view?.currentCall?.callId ?? view?.wrapUp?.callId ?? null;
  const [offerDoc, callDoc] = await Promise.all([offerCallId ? callById(readModels, offerCallId) : null, callId ? callById(readModels, callId) : null]);
  const offer =
    view?.offer && offerDoc
      ? Object.assign(new DeskOffer(), {
          offerId: view.offer.offerId,
          callId: view.offer.callId,
          expiresAt: view.offer.expiresAt,
          queueId: offerDoc.queueId,
          waitedSeconds: waitedSecondsOf(offerDoc, now),
          caller: { number: offerDoc.callerNumber, name: offerDoc.caller.name, contact: offerDoc.caller.contact, previousCalls: offerDoc.caller.previousCalls },
          attributes: offerDoc.attributes,
          ivr: offerDoc.ivr,
          callerNumber: offerDoc.callerNumber,
        })
      : null;
  return Object.assign(new Desk(), {
    agentId,
    agent: view ? Agent.from(view, now) : null,
    offer,
    call: callDoc ? Call.from(callDoc) : null,
    wrapUp: view?.wrapUp ?? null,
    wrapUpDeadline: view?.wrapUp?.until ?? null,
  });
};

/** An agent's own desk, live. */
@Resolver(() => Desk)
export class DeskResolver {
  @Allow('agent')
  @Query(() => Desk)
  myDesk(@Ctx() ctx: GraphQLContext): Promise<Desk> {
    return readDesk(ctx, requireAgentId(ctx));
  }

  @Allow('agent')
  @Subscription(() => Desk, {
    description: "The agent's desk each time its agent view or a call on it is written (offers ringing, connected, recording, transcript lines).",
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.live.subscribe(TOPICS.DESK_CHANGED, requireAgentId(ctx));
    },
  })
  myDeskChanged(@Ctx() ctx: GraphQLContext): Promise<Desk> {
    return readDesk(ctx, requireAgentId(ctx));
  }

  @FieldResolver(() => [Call], { description: "The agent's latest calls, newest first.", complexity: perItem(10) })
  async recentCalls(@Root() desk: Desk, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { defaultValue: 10, description: 'At most 50.' }) first: number): Promise<Call[]> {
    const page = await callHistory(ctx.services.readModels, { agentId: desk.agentId }, { limit: pageSizeOf(first, 50) });
    return page.items.map((doc) => Call.from(doc));
  }
}

/** The caller's earlier calls on the screen pop. */
@Resolver(() => DeskOffer)
export class DeskOfferResolver {
  @FieldResolver(() => [Call], { description: "The caller's earlier calls, newest first.", complexity: perItem(5) })
  async previousCalls(@Root() offer: DeskOffer, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { defaultValue: 5, description: 'At most 50.' }) first: number): Promise<Call[]> {
    if (!offer.callerNumber) return [];
    const size = pageSizeOf(first, 50);
    const page = await callHistory(ctx.services.readModels, { callerNumber: offer.callerNumber }, { limit: size + 1 });
    return page.items
      .filter((doc) => doc.callId !== offer.callId)
      .slice(0, size)
      .map((doc) => Call.from(doc));
  }
}

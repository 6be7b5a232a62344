import { Arg, Ctx, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { callById } from '../../../projections/call-history/queries';
import { hasRole, requireUser } from '../../auth/guards';
import { SharedPush } from '../../graphql/sharedPushes';
import { Allow } from '../../graphql/authorization';
import type { GraphQLContext } from '../../graphql/context';
import { TOPICS, type ChangedView } from '../../graphql/pubSub';
import { assertCanSeeCall } from './callAccess';
import { Call, RoutingDecision, routingDecisionsOf } from './callTypes';

interface CallChangedArgs {
  callId: string;
}

/** One call's document, live. */
@Resolver()
export class CallResolver {
  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @Query(() => Call, { nullable: true, description: "One call's document (agents: their own calls only)." })
  async call(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Call | null> {
    const doc = await callById(ctx.services.readModels, id);
    const user = requireUser(ctx);
    if (!doc && hasRole(user, 'supervisor', 'admin', 'analyst')) return null;
    return Call.from(assertCanSeeCall(ctx, doc, id));
  }

  @Allow('supervisor', 'admin', 'analyst')
  @Query(() => [RoutingDecision], { description: 'Why each agent was or was not chosen for the call, and why it waited, oldest first.' })
  async routingDecisions(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<RoutingDecision[]> {
    const doc = assertCanSeeCall(ctx, await callById(ctx.services.readModels, callId), callId);
    return routingDecisionsOf(doc);
  }

  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @SharedPush()
  @Subscription(() => Call, {
    description: "The call's document each time it is written (agents: their own calls only).",
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const { callId } = args as CallChangedArgs;
      const user = requireUser(ctx);
      if (!hasRole(user, 'supervisor', 'admin', 'analyst')) assertCanSeeCall(ctx, await callById(ctx.services.readModels, callId), callId);
      return ctx.services.live.subscribe(TOPICS.CALL_CHANGED, callId);
    },
  })
  callChanged(@Root() change: ChangedView<Call>, @Arg('callId', () => ID) _callId: string): Call {
    return change.view;
  }
}

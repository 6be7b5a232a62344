import { Arg, Ctx, ID, Mutation, ObjectType, Field, Query, Resolver, Root, Subscription } from 'type-graphql';
import { AGENT_IDLE_TIME_PROJECTION } from '../../../projections/agent-idle-time/agentIdleTimeProjection';
import { agentView, agentViews } from '../../../projections/agent-idle-time/queries';
import { QUEUE_PROJECTION } from '../../../projections/queue/queueProjection';
import { agentViewsAsOf } from '../../../projections/timeTravel';
import { assertCanSeeAgent, hasRole, requireAgentId, requireUser } from '../../auth/guards';
import { ForbiddenError, ValidationError } from '../../core/errors';
import { ActionOutcome, afterAppend } from '../../graphql/actions';
import { SharedPush } from '../../graphql/sharedPushes';
import { Allow } from '../../graphql/authorization';
import { requestMeta, type GraphQLContext } from '../../graphql/context';
import { TOPICS, type ChangedView } from '../../graphql/pubSub';
import { asOfArgs } from '../../queues/asOf';
import type { CommandOutcomeSummary } from '../../reactor/commands';
import { Agent, AgentStatusEnum, type AgentStatusValue } from './agentTypes';

const AGENT_VIEWS = [AGENT_IDLE_TIME_PROJECTION, QUEUE_PROJECTION];

@ObjectType({ description: "A change of an agent's status: what was appended and the agent once the read models show it.", implements: ActionOutcome, simpleResolvers: true })
export class AgentActionResult extends ActionOutcome {
  @Field(() => Agent, { nullable: true })
  agent!: Agent | null;
}

interface AgentChangedArgs {
  agentId?: string | null;
}

const reasonOf = (status: AgentStatusValue, reason: string | undefined): string | undefined => {
  const trimmed = reason?.trim();
  if (trimmed && trimmed.length > 100) throw new ValidationError('reason is at most 100 characters');
  return trimmed || undefined;
};

/** Agents: status, state, current call and today's totals, live; status changes by the agent or a supervisor. */
@Resolver()
export class AgentResolver {
  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @Query(() => [Agent], { description: 'Every agent by id (an agent sees only itself).' })
  async agents(@Ctx() ctx: GraphQLContext): Promise<Agent[]> {
    const user = requireUser(ctx);
    const now = ctx.services.clock();
    if (!hasRole(user, 'supervisor', 'admin', 'analyst')) {
      const own = user.agentId ? await agentView(ctx.services.readModels, user.agentId) : null;
      return own ? [Agent.from(own, now)] : [];
    }
    return (await agentViews(ctx.services.readModels)).map((doc) => Agent.from(doc, now));
  }

  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @Query(() => Agent, { nullable: true, description: 'One agent (an agent may ask only for itself).' })
  async agent(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Agent | null> {
    assertCanSeeAgent(ctx, id);
    const doc = await agentView(ctx.services.readModels, id);
    return doc ? Agent.from(doc, ctx.services.clock()) : null;
  }

  @Allow('analyst', 'supervisor', 'admin')
  @Query(() => [Agent], { description: 'The agents as they were at a past time or event position (replayed from the event history). Give exactly one of at and position.' })
  async agentsAsOf(
    @Ctx() ctx: GraphQLContext,
    @Arg('at', () => Date, { nullable: true }) at?: Date,
    @Arg('position', () => String, { nullable: true, description: 'An event-store position (inclusive), as a decimal string.' }) position?: string,
  ): Promise<Agent[]> {
    const asOf = asOfArgs(at, position);
    const now = 'time' in asOf ? new Date(asOf.time) : ctx.services.clock();
    return (await agentViewsAsOf(ctx.services.eventStore, asOf)).map((doc) => Agent.from(doc, now));
  }

  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @SharedPush()
  @Subscription(() => Agent, {
    description: 'An agent each time its view is written (all agents, or the one given; an agent receives only itself).',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const user = requireUser(ctx);
      const { agentId } = args as AgentChangedArgs;
      if (hasRole(user, 'supervisor', 'admin', 'analyst')) {
        return ctx.services.live.subscribe(TOPICS.AGENT_CHANGED, undefined, agentId ? (change) => change.id === agentId : undefined);
      }
      const own = user.agentId;
      if (!own || (agentId && agentId !== own)) throw new ForbiddenError('An agent may watch only itself');
      return ctx.services.live.subscribe(TOPICS.AGENT_CHANGED, undefined, (change) => change.id === own);
    },
  })
  agentChanged(@Root() change: ChangedView<Agent>, @Arg('agentId', () => ID, { nullable: true }) _agentId?: string): Agent {
    return change.view;
  }

  @Allow('agent')
  @Mutation(() => AgentActionResult, { description: 'Available (logs in when signed out), Break with a reason, or Offline.' })
  async setMyStatus(
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => AgentStatusEnum) status: AgentStatusValue,
    @Arg('reason', () => String, { nullable: true, description: 'The break reason.' }) reason?: string,
  ): Promise<AgentActionResult> {
    return this.changeStatus(ctx, requireAgentId(ctx), status, reasonOf(status, reason));
  }

  @Allow('supervisor', 'admin')
  @Mutation(() => AgentActionResult, { description: "Sets another agent's status (Offline logs them out)." })
  async setAgentStatus(
    @Ctx() ctx: GraphQLContext,
    @Arg('agentId', () => ID) agentId: string,
    @Arg('status', () => AgentStatusEnum) status: AgentStatusValue,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<AgentActionResult> {
    return this.changeStatus(ctx, agentId, status, reasonOf(status, reason));
  }

  @Allow('supervisor', 'admin')
  @Mutation(() => AgentActionResult, { description: 'Logs an agent out (refused while the agent is on a call or being offered one).' })
  async logoutAgent(@Ctx() ctx: GraphQLContext, @Arg('agentId', () => ID) agentId: string, @Arg('reason', () => String, { nullable: true }) reason?: string): Promise<AgentActionResult> {
    const outcome = await ctx.services.callControl.logOut({ agentId, reason: reason?.trim() || 'logged out by a supervisor' }, requestMeta(ctx));
    return this.result(ctx, agentId, outcome);
  }

  private async changeStatus(ctx: GraphQLContext, agentId: string, status: AgentStatusValue, reason: string | undefined): Promise<AgentActionResult> {
    const { callControl, readModels } = ctx.services;
    const meta = requestMeta(ctx);
    if (status !== 'Offline') {
      const view = await agentView(readModels, agentId);
      if (!view || view.status === 'Offline') {
        const loggedIn = await callControl.logIn({ agentId, status, ...(status === 'Break' && reason ? { breakReason: reason } : {}) }, meta);
        if (loggedIn.position !== null) return this.result(ctx, agentId, loggedIn);
      }
    }
    const outcome = await callControl.setAgentStatus({ agentId, status, ...(reason ? { reason } : {}) }, meta);
    return this.result(ctx, agentId, outcome);
  }

  private async result(ctx: GraphQLContext, agentId: string, outcome: CommandOutcomeSummary): Promise<AgentActionResult> {
    const appended = await afterAppend(ctx, outcome, AGENT_VIEWS);
    const view = await agentView(ctx.services.readModels, agentId);
    return Object.assign(new AgentActionResult(), { ...appended, agent: view ? Agent.from(view, ctx.services.clock()) : null });
  }
}

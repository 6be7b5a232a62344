import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { pendingCallbacks, queueView, queueViews, withWaitsAt } from '../../projections/queue/queries';
import { queueDays } from '../../projections/reports/queries';
import { queueViewsAsOf } from '../../projections/timeTravel';
import { SharedPush } from '../graphql/sharedPushes';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { pageSizeOf, perItem } from '../graphql/paging';
import { TOPICS, type ChangedView } from '../graphql/pubSub';
import { QueueFigures, queueFigures } from '../reports/reportTypes';
import { centerDate } from '../reports/today';
import { asOfArgs } from './asOf';
import { PendingCallback, Queue, WaitingCall } from './queueTypes';

interface QueueChangedArgs {
  queueId?: string | null;
}

/** Today's figures, read once per Queue object (a subscription push shares one object among its subscribers). */
const todayOf = new WeakMap<Queue, Promise<QueueFigures | null>>();

/** Queues: waiting calls and counters, live. Every signed-in user sees them (agents cherry-pick from them). */
@Resolver(() => Queue)
export class QueueResolver {
  @Allow()
  @Query(() => [Queue], { description: 'Every queue with its waiting calls, waits counted up to now.' })
  async queues(@Ctx() ctx: GraphQLContext): Promise<Queue[]> {
    const at = ctx.services.clock().toISOString();
    return (await queueViews(ctx.services.readModels)).map((doc) => Queue.from(withWaitsAt(doc, at)));
  }

  @Allow()
  @Query(() => Queue, { nullable: true })
  async queue(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Queue | null> {
    const doc = await queueView(ctx.services.readModels, id);
    return doc ? Queue.from(withWaitsAt(doc, ctx.services.clock().toISOString())) : null;
  }

  @Allow('supervisor', 'admin')
  @Query(() => [PendingCallback], { description: 'Pending callbacks in their place, of one queue or all.' })
  async callbacks(@Ctx() ctx: GraphQLContext, @Arg('queueId', () => ID, { nullable: true }) queueId?: string): Promise<PendingCallback[]> {
    return (await pendingCallbacks(ctx.services.readModels, queueId ?? undefined)).map((c) => PendingCallback.from(c));
  }

  @Allow('analyst', 'supervisor', 'admin')
  @Query(() => [Queue], { description: 'The queues as they were at a past time or event position (replayed from the event history). Give exactly one of at and position.' })
  async queuesAsOf(
    @Ctx() ctx: GraphQLContext,
    @Arg('at', () => Date, { nullable: true }) at?: Date,
    @Arg('position', () => String, { nullable: true, description: 'An event-store position (inclusive), as a decimal string.' }) position?: string,
  ): Promise<Queue[]> {
    return (await queueViewsAsOf(ctx.services.eventStore, asOfArgs(at, position))).map((doc) => Queue.from(doc));
  }

  @Allow()
  @SharedPush()
  @Subscription(() => Queue, {
    description: 'A queue each time its view is written (all queues, or the one given).',
    subscribe: ({ args, context }) => {
      const { queueId } = args as QueueChangedArgs;
      return (context as GraphQLContext).services.live.subscribe(TOPICS.QUEUE_CHANGED, undefined, queueId ? (change) => change.id === queueId : undefined);
    },
  })
  queueChanged(@Root() change: ChangedView<Queue>, @Arg('queueId', () => ID, { nullable: true }) _queueId?: string): Queue {
    return change.view;
  }

  @FieldResolver(() => [WaitingCall], { description: 'The waiting calls in position order.', complexity: perItem(100) })
  calls(@Root() queue: Queue, @Arg('first', () => Int, { defaultValue: 100, description: 'At most 1000.' }) first: number): WaitingCall[] {
    return queue.waitingCalls.slice(0, pageSizeOf(first, 1000));
  }

  @FieldResolver(() => QueueFigures, { nullable: true, description: "Today's figures (center time zone): offered, answered, abandoned, service level, ASA, AHT…" })
  today(@Root() queue: Queue, @Ctx() ctx: GraphQLContext): Promise<QueueFigures | null> {
    let figures = todayOf.get(queue);
    if (!figures) {
      figures = (async () => {
        const { readModels, clock } = ctx.services;
        const date = await centerDate(readModels, clock());
        const [day] = await queueDays(readModels, { fromDate: date, toDate: date, queueId: queue.id });
        return day ? queueFigures(day) : null;
      })();
      todayOf.set(queue, figures);
    }
    return figures;
  }
}

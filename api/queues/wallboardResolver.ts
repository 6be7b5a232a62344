import { Ctx, Query, Resolver, Root, Subscription } from 'type-graphql';
import { SharedPush } from '../graphql/sharedPushes';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { TOPICS, type WallboardChange } from '../graphql/pubSub';
import { readWallboard, Wallboard } from './wallboardTypes';

/** The supervisors' wall display: every queue's counters and the agent grid. */
@Resolver()
export class WallboardResolver {
  @Allow('supervisor', 'admin')
  @Query(() => Wallboard)
  wallboard(@Ctx() ctx: GraphQLContext): Promise<Wallboard> {
    return readWallboard(ctx.services.readModels, ctx.services.clock());
  }

  @Allow('supervisor', 'admin')
  @SharedPush()
  @Subscription(() => Wallboard, {
    description: 'The wallboard after queue or agent changes (changes close together are pushed once).',
    subscribe: ({ context }) => (context as GraphQLContext).services.live.subscribe(TOPICS.WALLBOARD_CHANGED),
  })
  wallboardChanged(@Root() change: WallboardChange): Wallboard {
    return change.wallboard;
  }
}

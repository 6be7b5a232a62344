import { Arg, Ctx, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { TOPICS, type SessionEventPayload } from '../graphql/pubSub';
import { LoginPayload, Me, SessionEvent, SessionPayload } from './authTypes';
import { requireUser } from './guards';

@Resolver()
export class AuthResolver {
  /** Public. Rate-limited per username and client address. */
  @Mutation(() => LoginPayload, { description: 'Signs in on a device; agents also get their softphone login.' })
  async login(
    @Ctx() ctx: GraphQLContext,
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Arg('deviceId', () => String, { description: 'A stable id of this browser/device, 1-64 characters: letters, digits, _ . -' }) deviceId: string,
  ): Promise<LoginPayload> {
    return LoginPayload.fromResult(await ctx.services.auth.login({ username, password, deviceId, ip: ctx.ip }, ctx.requestId));
  }

  /** Public: the refresh token is the credential. */
  @Mutation(() => SessionPayload, { description: 'Trades a refresh token for new tokens; the presented refresh token is spent.' })
  async refreshSession(@Ctx() ctx: GraphQLContext, @Arg('refreshToken', () => String) refreshToken: string): Promise<SessionPayload> {
    const result = await ctx.services.auth.refresh(refreshToken, ctx.requestId);
    return SessionPayload.fromTokens(result, result.user);
  }

  @Allow()
  @Mutation(() => Boolean, { description: "Ends this session and deletes the device's telephony credential." })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.auth.logout(requireUser(ctx), ctx.requestId);
    return true;
  }

  @Allow()
  @Query(() => Me)
  me(@Ctx() ctx: GraphQLContext): Me {
    return Me.from(requireUser(ctx));
  }

  @Allow()
  @Subscription(() => SessionEvent, {
    topics: TOPICS.SESSION_EVENTS,
    topicId: ({ context }: { context: GraphQLContext }) => context.user?.userId,
    description: "Changes to the caller's own sessions: a revocation tells the console to sign out.",
  })
  sessionEvents(@Root() payload: SessionEventPayload, @Ctx() ctx: GraphQLContext): SessionEvent {
    return SessionEvent.from(payload, requireUser(ctx).sessionId);
  }
}

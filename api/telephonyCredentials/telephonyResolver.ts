import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireUser } from '../auth/guards';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { SoftphoneRegistration, TelephonyToken } from './telephonyTypes';

const DEVICE_ARG = { nullable: true, description: "The session's device (the default); another device is refused." } as const;

/** The softphone of a user linked to an agent (agents, and supervisors who monitor, whisper or barge). */
@Resolver()
export class TelephonyResolver {
  @Allow('agent', 'supervisor', 'admin')
  @Query(() => TelephonyToken, { description: "A fresh WebRTC login token for this device's existing credential." })
  async telephonyToken(@Ctx() ctx: GraphQLContext, @Arg('deviceId', () => String, DEVICE_ARG) deviceId?: string): Promise<TelephonyToken> {
    return TelephonyToken.from(await ctx.services.auth.telephonyToken(requireUser(ctx), deviceId, ctx.requestId, false));
  }

  @Allow('agent', 'supervisor', 'admin')
  @Mutation(() => TelephonyToken, { description: "A fresh WebRTC login token; creates the device's credential if it has none (or Telnyx lost it)." })
  async refreshTelephonyToken(@Ctx() ctx: GraphQLContext, @Arg('deviceId', () => String, DEVICE_ARG) deviceId?: string): Promise<TelephonyToken> {
    return TelephonyToken.from(await ctx.services.auth.telephonyToken(requireUser(ctx), deviceId, ctx.requestId, true));
  }

  @Allow('agent', 'supervisor', 'admin')
  @Mutation(() => SoftphoneRegistration, { description: "The softphone reports telnyx.ready (true) or a lost registration (false), recorded on the agent's stream; only registered agents are dialled." })
  async reportSoftphoneRegistration(
    @Ctx() ctx: GraphQLContext,
    @Arg('registered', () => Boolean) registered: boolean,
    @Arg('deviceId', () => String, DEVICE_ARG) deviceId?: string,
  ): Promise<SoftphoneRegistration> {
    return SoftphoneRegistration.from(await ctx.services.auth.reportRegistration(requireUser(ctx), deviceId, registered, ctx.requestId));
  }
}

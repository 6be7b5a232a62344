import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { NotFoundError } from '../core/errors';
import { Allow } from '../graphql/authorization';
import { requestMeta, type GraphQLContext } from '../graphql/context';
import { RoleEnum } from '../graphql/roleEnum';
import type { Role } from './user';
import { CreateUserInput, User } from './userTypes';

/** User administration (admins only). Every change is an event on the user's stream. */
@Resolver(() => User)
export class UserResolver {
  @Allow('admin')
  @Query(() => [User], { description: 'Every user, by username.' })
  users(@Ctx() ctx: GraphQLContext, @Arg('includeDeactivated', () => Boolean, { defaultValue: true }) includeDeactivated: boolean): User[] {
    const now = ctx.services.clock();
    return ctx.services.userDirectory
      .list()
      .filter((u) => includeDeactivated || u.status === 'active')
      .map((u) => User.from(u, now));
  }

  @Allow('admin')
  @Mutation(() => User)
  async createUser(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateUserInput) input: CreateUserInput): Promise<User> {
    const profile = await ctx.services.users.create(input, requestMeta(ctx));
    return this.current(ctx, profile.userId);
  }

  @Allow('admin')
  @Mutation(() => User)
  async setUserRoles(@Ctx() ctx: GraphQLContext, @Arg('userId', () => ID) userId: string, @Arg('roles', () => [RoleEnum]) roles: Role[]): Promise<User> {
    return User.from(await ctx.services.users.setRoles(userId, roles, requestMeta(ctx)), ctx.services.clock());
  }

  @Allow('admin')
  @Mutation(() => User, { description: "Sets a new password and ends all of the user's sessions." })
  async resetUserPassword(@Ctx() ctx: GraphQLContext, @Arg('userId', () => ID) userId: string, @Arg('password', () => String) password: string): Promise<User> {
    return User.from(await ctx.services.auth.resetPassword(userId, password, requestMeta(ctx)), ctx.services.clock());
  }

  @Allow('admin')
  @Mutation(() => User, { description: 'Ends all sessions and deletes the telephony credentials; the user can no longer sign in.' })
  async deactivateUser(@Ctx() ctx: GraphQLContext, @Arg('userId', () => ID) userId: string): Promise<User> {
    return User.from(await ctx.services.auth.deactivate(userId, requestMeta(ctx)), ctx.services.clock());
  }

  @Allow('admin')
  @Mutation(() => User)
  async reactivateUser(@Ctx() ctx: GraphQLContext, @Arg('userId', () => ID) userId: string): Promise<User> {
    const { state } = await ctx.services.users.execute(userId, { type: 'ReactivateUser', data: {} }, requestMeta(ctx));
    return User.from(state, ctx.services.clock());
  }

  @Allow('admin')
  @Mutation(() => User, { description: "Ends all of the user's sessions (they must sign in again) and deletes their telephony credentials." })
  async revokeUserSessions(@Ctx() ctx: GraphQLContext, @Arg('userId', () => ID) userId: string): Promise<User> {
    return User.from(await ctx.services.auth.revokeSessions(userId, requestMeta(ctx)), ctx.services.clock());
  }

  private async current(ctx: GraphQLContext, userId: string): Promise<User> {
    const state = await ctx.services.users.load(userId);
    if (state.status === 'none') throw new NotFoundError('User not found');
    return User.from(state, ctx.services.clock());
  }
}

import { ForbiddenError, UnauthenticatedError } from '../core/errors';
import type { GraphQLContext } from '../graphql/context';
import type { Role } from '../users/user';
import type { AuthenticatedUser } from './authService';

export const hasRole = (user: AuthenticatedUser, ...roles: Role[]): boolean => user.roles.some((r) => roles.includes(r));

/** The caller, or UNAUTHENTICATED (with the reason a presented token was refused). */
export const requireUser = (ctx: GraphQLContext): AuthenticatedUser => {
  if (!ctx.user) throw ctx.authError ?? new UnauthenticatedError();
  return ctx.user;
};

export const requireRole = (ctx: GraphQLContext, ...roles: Role[]): AuthenticatedUser => {
  const user = requireUser(ctx);
  if (!hasRole(user, ...roles)) throw new ForbiddenError(`This needs one of the roles: ${roles.join(', ')}`);
  return user;
};

/** The agent the caller is linked to, or FORBIDDEN. */
export const requireAgentId = (ctx: GraphQLContext): string => {
  const user = requireUser(ctx);
  if (!user.agentId) throw new ForbiddenError('This user is not linked to an agent');
  return user.agentId;
};

/** Supervisors and admins act on any agent's calls and offers; anyone else only on their own agent's. */
export const canActOnAgent = (user: AuthenticatedUser, agentId: string): boolean => hasRole(user, 'supervisor', 'admin') || user.agentId === agentId;

/** As canActOnAgent, and analysts may also look (read-only). */
export const canSeeAgent = (user: AuthenticatedUser, agentId: string): boolean => hasRole(user, 'analyst') || canActOnAgent(user, agentId);

export const assertCanActOnAgent = (ctx: GraphQLContext, agentId: string): AuthenticatedUser => {
  const user = requireUser(ctx);
  if (!canActOnAgent(user, agentId)) throw new ForbiddenError(`You may act only on your own calls and offers, not agent ${agentId}'s`);
  return user;
};

export const assertCanSeeAgent = (ctx: GraphQLContext, agentId: string): AuthenticatedUser => {
  const user = requireUser(ctx);
  if (!canSeeAgent(user, agentId)) throw new ForbiddenError(`You may see only your own calls and offers, not agent ${agentId}'s`);
  return user;
};

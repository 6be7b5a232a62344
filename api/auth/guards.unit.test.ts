import { ForbiddenError, UnauthenticatedError } from '../core/errors';
import type { GraphQLContext } from '../graphql/context';
import type { Role } from '../users/user';
import { assertCanActOnAgent, assertCanSeeAgent, requireAgentId, requireUser } from './guards';

const ctx = (roles: Role[] | null, agentId?: string): GraphQLContext =>
  ({
    requestId: 'r',
    user: roles ? { userId: 'u', username: 'u', displayName: 'U', roles, sessionId: 's', deviceId: 'd', ...(agentId ? { agentId } : {}) } : null,
  }) as GraphQLContext;

describe('guards', () => {
  it('agents act on and see only their own agent', () => {
    expect(assertCanActOnAgent(ctx(['agent'], 'alice'), 'alice').agentId).toBe('alice');
    expect(() => assertCanActOnAgent(ctx(['agent'], 'alice'), 'bob')).toThrow(ForbiddenError);
    expect(() => assertCanSeeAgent(ctx(['agent'], 'alice'), 'bob')).toThrow(ForbiddenError);
  });

  it('supervisors and admins act on anyone; analysts only look', () => {
    expect(assertCanActOnAgent(ctx(['supervisor']), 'bob').roles).toEqual(['supervisor']);
    expect(assertCanActOnAgent(ctx(['admin']), 'bob').roles).toEqual(['admin']);
    expect(assertCanSeeAgent(ctx(['analyst']), 'bob').roles).toEqual(['analyst']);
    expect(() => assertCanActOnAgent(ctx(['analyst']), 'bob')).toThrow(ForbiddenError);
  });

  it('without a user every guard is UNAUTHENTICATED, with the reason a token was refused when there is one', () => {
    expect(() => assertCanActOnAgent(ctx(null), 'bob')).toThrow(UnauthenticatedError);
    const refused = { ...ctx(null), authError: new UnauthenticatedError('The access token has expired') };
    expect(() => requireUser(refused)).toThrow('The access token has expired');
  });

  it('requireAgentId refuses users not linked to an agent', () => {
    expect(requireAgentId(ctx(['agent'], 'alice'))).toBe('alice');
    expect(() => requireAgentId(ctx(['supervisor']))).toThrow(ForbiddenError);
  });
});

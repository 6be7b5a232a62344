import { Authorized, Extensions, type AuthChecker } from 'type-graphql';
import { ForbiddenError } from '../core/errors';
import { requireUser } from '../auth/guards';
import { ROLES, type Role } from '../users/user';
import type { GraphQLContext } from './context';

/** Where a field's allowed roles are published in the schema (tests and tooling read them). */
export interface AuthExtension {
  roles: Role[];
}

/**
 * Guards a Query, Mutation or Subscription field: `@Allow('supervisor', 'admin')`, or `@Allow()` for
 * any signed-in user. Use it (not bare `@Authorized`) so the field's roles are also visible in the
 * schema's field extensions, where the authorization tests find them.
 */
export const Allow =
  (...roles: Role[]): MethodDecorator =>
  (target, propertyKey, descriptor) => {
    const auth: AuthExtension = { roles: roles.length > 0 ? roles : [...ROLES] };
    Extensions({ auth })(target, propertyKey, descriptor);
    (roles.length > 0 ? Authorized<Role>(...roles) : Authorized())(target, propertyKey, descriptor);
  };

/** Throws instead of returning false so that a missing user is UNAUTHENTICATED and a wrong role FORBIDDEN. */
export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context }, roles) => {
  const user = requireUser(context);
  if (roles.length === 0 || user.roles.some((r) => roles.includes(r))) return true;
  throw new ForbiddenError(`This needs one of the roles: ${roles.join(', ')}`);
};

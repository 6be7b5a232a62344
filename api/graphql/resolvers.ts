import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from '../auth/authResolver';
import { TelephonyResolver } from '../telephonyCredentials/telephonyResolver';
import { UserResolver } from '../users/userResolver';

/** A type-graphql resolver class (decorated with @Resolver). */
export type ResolverClass = abstract new (...args: never[]) => unknown;

/**
 * Every resolver class of the API. Add a feature's resolvers here: the server, the emitted
 * schema.graphql and the authorization tests all take them from this list.
 */
export const callstreamResolvers: NonEmptyArray<ResolverClass> = [AuthResolver, UserResolver, TelephonyResolver];

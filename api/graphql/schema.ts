import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './authorization';
import { createCallstreamPubSub, type CallstreamPubSub } from './pubSub';
import { callstreamResolvers, type ResolverClass } from './resolvers';

/**
 * The API schema from type-graphql resolver classes. Validation of arguments is done by each
 * command's own checks (zod, deciders), hence `validate: false`.
 */
export const buildCallstreamSchema = async (
  resolvers: NonEmptyArray<ResolverClass> = callstreamResolvers,
  pubSub: CallstreamPubSub = createCallstreamPubSub(),
): Promise<GraphQLSchema> =>
  buildSchema({
    resolvers,
    authChecker,
    authMode: 'error',
    pubSub,
    validate: false,
  });

export const SCHEMA_FILE_HEADER = '# Generated from the resolvers by `npm run schema`; do not edit. A test fails when this file is out of date.\n\n';

/** Sorted, so the file changes only when the schema does. */
export const printCallstreamSchema = (schema: GraphQLSchema): string => `${SCHEMA_FILE_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;

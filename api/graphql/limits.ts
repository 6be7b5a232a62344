import depthLimit from 'graphql-depth-limit';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ApolloServerPlugin } from '@apollo/server';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/** Validation rules added to graphql's own, on HTTP and on graphql-ws alike. */
export const limitRules = (limits: QueryLimits): ValidationRule[] => [depthLimit(limits.maxDepth)];

/**
 * Complexity needs the operation's variables (a field's `complexity` option may multiply by a
 * `limit` argument), so it runs after validation, once variables are known. Each field costs 1
 * unless it declares `complexity` in its type-graphql decorator.
 */
export const assertComplexity = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxComplexity: number,
): number => {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // Variables that do not coerce: execution reports them as BAD_USER_INPUT, with graphql's message.
    if (error instanceof GraphQLError) return 0;
    throw error;
  }
  if (complexity > maxComplexity) {
    throw new GraphQLError(`The query is too complex: its complexity is ${complexity}, the maximum is ${maxComplexity}`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maximumComplexity: maxComplexity, http: { status: 400 } },
    });
  }
  return complexity;
};

export const complexityPlugin = (schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin =>
  ({
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document }) => {
        assertComplexity(schema, document, request.variables, request.operationName, maxComplexity);
      },
    }),
  }) satisfies ApolloServerPlugin;

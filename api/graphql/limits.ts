import { getOperationAST, getVariableValues, GraphQLError, Kind, visit, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ApolloServerPlugin } from '@apollo/server';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * The fragments of a document in an order where each comes after every fragment it spreads, or
 * null when a spread names no fragment of the document or the fragments spread into one another
 * in a cycle (graphql's KnownFragmentNames and NoFragmentCycles refuse those documents).
 */
const fragmentOrder = (document: DocumentNode): string[] | null => {
  const spreadsOf = new Map<string, string[]>();
  const spread: string[] = [];
  for (const definition of document.definitions) {
    const inside: string[] = [];
    visit(definition, { FragmentSpread: (node) => void inside.push(node.name.value) });
    spread.push(...inside);
    if (definition.kind === Kind.FRAGMENT_DEFINITION) spreadsOf.set(definition.name.value, inside);
  }
  if (spread.some((name) => !spreadsOf.has(name))) return null;
  // Kahn's algorithm over "is spread by": a fragment is ready once every fragment it spreads is.
  const waitingOn = new Map([...spreadsOf].map(([name, targets]) => [name, new Set(targets).size]));
  const spreadBy = new Map<string, string[]>();
  for (const [name, targets] of spreadsOf) for (const target of new Set(targets)) spreadBy.set(target, [...(spreadBy.get(target) ?? []), name]);
  const ready = [...waitingOn].filter(([, count]) => count === 0).map(([name]) => name);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.pop() as string;
    order.push(name);
    for (const user of spreadBy.get(name) ?? []) {
      const left = (waitingOn.get(user) ?? 0) - 1;
      waitingOn.set(user, left);
      if (left === 0) ready.push(user);
    }
  }
  return order.length === spreadsOf.size ? order : null;
};

/**
 * How many fields with a selection set nest inside one another, through inline fragments and
 * fragment spreads; introspection fields (`__schema`, `__type`) are not counted, so tools can
 * introspect (graphql's MaxIntrospectionDepthRule bounds those). Walked without recursion.
 */
const selectionDepth = (selectionSet: SelectionSetNode, fragmentDepth: ReadonlyMap<string, number>): number => {
  let deepest = 0;
  const stack: Array<[SelectionSetNode, number]> = [[selectionSet, 0]];
  while (stack.length > 0) {
    const [set, level] = stack.pop() as [SelectionSetNode, number];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet || selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, level + 1);
        stack.push([selection.selectionSet, level + 1]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push([selection.selectionSet, level]);
      } else {
        deepest = Math.max(deepest, level + (fragmentDepth.get(selection.name.value) ?? 0));
      }
    }
  }
  return deepest;
};

/**
 * Refuses an operation whose fields nest deeper than `maxDepth` (the rule graphql-depth-limit
 * implements, with its message). Written here because that package follows fragment spreads
 * recursively and unchecked: a spread of an unknown fragment threw a TypeError, and a cycle or a
 * long chain of fragments overflowed the stack, so a one-line document, even without a token, was
 * an internal error. A document with unknown or cyclic fragments is left to graphql's own rules.
 */
export const depthLimitRule =
  (maxDepth: number): ValidationRule =>
  (context) => {
    const document = context.getDocument();
    const order = fragmentOrder(document);
    if (!order) return {};
    const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const fragmentDepth = new Map<string, number>();
    for (const name of order) fragmentDepth.set(name, selectionDepth(fragments.get(name)!.selectionSet, fragmentDepth));
    for (const operation of document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
      if (selectionDepth(operation.selectionSet, fragmentDepth) > maxDepth) {
        context.reportError(new GraphQLError(`'${operation.name?.value ?? ''}' exceeds maximum operation depth of ${maxDepth}`, { nodes: operation }));
      }
    }
    return {};
  };

/** Validation rules added to graphql's own, on HTTP and on graphql-ws alike. */
export const limitRules = (limits: QueryLimits): ValidationRule[] => [depthLimitRule(limits.maxDepth)];

/** Fields graphql-query-complexity weighs at most (each fragment counted where it is spread) before it gives up. */
export const MAX_WEIGHED_FIELDS = 10_000;

const tooComplex = (message: string, extensions: Record<string, unknown>): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...extensions, http: { status: 400 } } });

/**
 * Complexity needs the operation's variables (a field's `complexity` option may multiply by a
 * `limit` argument), so it runs after validation, once variables are known. Each field costs 1
 * unless it declares `complexity` in its type-graphql decorator.
 *
 * Variables that do not coerce are left to execution, which reports them as BAD_USER_INPUT with
 * graphql's message. Any other refusal of graphql-query-complexity counts as too complex: it gives
 * up past MAX_WEIGHED_FIELDS fields, and that used to be taken for bad variables and let through
 * unweighed (a thousand aliases of one fragment ran whatever they cost).
 */
export const assertComplexity = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxComplexity: number,
): number => {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return 0;
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).errors) return 0;
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      maxQueryNodes: MAX_WEIGHED_FIELDS,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    if (error instanceof GraphQLError) {
      throw tooComplex(`The query is too complex: it selects more than ${MAX_WEIGHED_FIELDS} fields (a fragment counts wherever it is spread), the maximum complexity is ${maxComplexity}`, {
        maximumComplexity: maxComplexity,
      });
    }
    throw error;
  }
  if (complexity > maxComplexity) {
    throw tooComplex(`The query is too complex: its complexity is ${complexity}, the maximum is ${maxComplexity}`, { complexity, maximumComplexity: maxComplexity });
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

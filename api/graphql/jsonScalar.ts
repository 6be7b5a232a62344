import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';

/** How deep arrays and objects may nest in a JSON argument (configuration documents use a handful of levels). */
export const MAX_JSON_NESTING = 64;

/** The depth of the deepest array or object in `value` (0 for a scalar), walked without recursion. */
export const jsonNesting = (value: unknown): number => {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_NESTING) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
};

/**
 * graphql-scalars' JSON scalar, refusing variables nested deeper than MAX_JSON_NESTING. type-graphql
 * converts argument values recursively through nested arrays, so thousands of levels (a few dozen KB
 * of variables) overflowed the stack and answered an internal error; now they are BAD_USER_INPUT. A
 * literal in the document is bounded by the parser. Same name and description: the schema is unchanged.
 */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  parseValue: (value: unknown) => {
    if (jsonNesting(value) > MAX_JSON_NESTING) throw new GraphQLError(`JSON nests deeper than ${MAX_JSON_NESTING} levels`);
    return value;
  },
});

import { Field, ObjectType } from 'type-graphql';
import { ValidationError } from '../core/errors';

@ObjectType({ description: 'Cursor pagination: pass endCursor as `after` for the next page.', simpleResolvers: true })
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;

  static of(endCursor: string | null | undefined, hasNextPage: boolean): PageInfo {
    return Object.assign(new PageInfo(), { endCursor: endCursor ?? null, hasNextPage });
  }
}

/** A page size from the client, within 1..max. */
export const pageSizeOf = (first: number, max: number): number => {
  if (!Number.isInteger(first) || first < 1 || first > max) throw new ValidationError(`first must be between 1 and ${max}`);
  return first;
};

/**
 * Complexity of a paged list field: each item costs what its selection costs (graphql-query-complexity
 * gives the field's arguments and its selection's complexity).
 */
export const perItem =
  (defaultFirst: number) =>
  ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number =>
    1 + (typeof args.first === 'number' ? args.first : defaultFirst) * Math.max(1, childComplexity);

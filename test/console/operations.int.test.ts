import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, NoDeprecatedCustomRule, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import * as operations from '../../console/src/app/graphql/operations';

/**
 * Every GraphQL document the console sends is valid against schema.graphql, the schema the API
 * emits: a field renamed or removed on the server fails here rather than in an agent's browser.
 */

const schema = buildSchema(readFileSync(path.resolve(__dirname, '..', '..', 'schema.graphql'), 'utf8'));

const documents: Array<{ name: string; doc: DocumentNode; operation: OperationDefinitionNode }> = Object.entries(operations).flatMap(([name, source]) => {
  if (typeof source !== 'string') return [];
  const doc = parse(source);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operation ? [{ name, doc, operation }] : [];
});

describe('the console’s GraphQL operations', () => {
  it('covers queries, mutations and subscriptions', () => {
    const kinds = new Set(documents.map((d) => d.operation.operation));
    expect([...kinds].sort()).toEqual(['mutation', 'query', 'subscription']);
    expect(documents.length).toBeGreaterThan(40);
  });

  it('gives every operation a unique name', () => {
    const names = documents.map((d) => d.operation.name?.value);
    expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(documents.map((d) => [d.name, d] as const))('%s is valid against schema.graphql', (_name, { doc }) => {
    expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
  });

  it('reads no deprecated field (they are on their way out of the schema)', () => {
    const uses = documents.flatMap(({ name, doc }) => validate(schema, doc, [NoDeprecatedCustomRule]).map((e) => `${name}: ${e.message}`));
    expect(uses).toEqual([]);
  });

  it('holds one operation per document, with only the fragments it uses', () => {
    for (const { name, doc } of documents) {
      const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect({ name, operations: ops.length }).toEqual({ name, operations: 1 });
    }
  });
});

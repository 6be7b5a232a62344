import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCallstreamSchema, printCallstreamSchema } from '../../api/graphql/schema';

describe('schema.graphql', () => {
  it('is what the resolvers build (run `npm run schema` after changing them)', async () => {
    const built = printCallstreamSchema(await buildCallstreamSchema());
    const committed = readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
    if (built !== committed) {
      throw new Error('schema.graphql is out of date with the resolvers: run `npm run schema` and commit schema.graphql');
    }
    expect(committed).toContain('type Mutation');
  });
});

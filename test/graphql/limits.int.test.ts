import { getIntrospectionQuery } from 'graphql';
import { Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Allow } from '../../api/graphql/authorization';
import { errorCode, startHarness, type Harness } from './support/apiHarness';

@ObjectType()
class Branch {
  @Field(() => Int)
  level!: number;

  @Field(() => Branch, { nullable: true })
  child?: Branch;

  @Field(() => Int, { complexity: 400 })
  expensive!: number;
}

const tree = (level: number): Branch => Object.assign(new Branch(), { level, expensive: level, ...(level < 30 ? { child: tree(level + 1) } : {}) });

@Resolver()
class TreeResolver {
  @Allow()
  @Query(() => Branch)
  tree(): Branch {
    return tree(0);
  }
}

const nested = (depth: number): string => (depth === 0 ? 'level' : `level child { ${nested(depth - 1)} }`);

describe('query limits', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ extraResolvers: [TreeResolver], env: { CALLSTREAM_GRAPHQL_MAX_DEPTH: '6', CALLSTREAM_GRAPHQL_MAX_COMPLEXITY: '1000' } });
    token = await h.adminToken();
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers a query within the depth limit', async () => {
    const res = await h.gql<{ tree: { level: number } }>(`query { tree { ${nested(5)} } }`, {}, token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.tree.level).toBe(0);
  });

  it('allows the standard introspection query that code generators send', async () => {
    const res = await h.gql<{ __schema: { queryType: { name: string } } }>(getIntrospectionQuery(), {}, token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses a query deeper than the limit, over HTTP', async () => {
    const res = await h.gql(`query { tree { ${nested(6)} } }`, {}, token);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/exceeds maximum operation depth of 6/);
  });

  it('refuses a query more complex than the limit, over HTTP, naming both figures', async () => {
    const res = await h.gql('query { tree { a: expensive b: expensive c: expensive } }', {}, token);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('The query is too complex: its complexity is 1201, the maximum is 1000');
    expect(res.errors?.[0].extensions).toMatchObject({ complexity: 1201, maximumComplexity: 1000 });
  });

  it('applies the same limits over graphql-ws', async () => {
    const client = h.wsClient({ authorization: `Bearer ${token}` });
    const run = async (query: string): Promise<unknown> => {
      try {
        for await (const result of client.iterate({ query })) return result;
      } catch (errors) {
        return errors;
      }
      return undefined;
    };
    const deep = (await run(`query { tree { ${nested(6)} } }`)) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(deep[0].message).toMatch(/exceeds maximum operation depth of 6/);
    const complex = (await run('query { tree { a: expensive b: expensive c: expensive } }')) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(complex[0]).toMatchObject({ message: 'The query is too complex: its complexity is 1201, the maximum is 1000', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const fine = (await run(`query { tree { ${nested(2)} } }`)) as { data: { tree: { level: number } } };
    expect(fine.data.tree.level).toBe(0);
  });
});

describe('bad variables', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('are BAD_USER_INPUT with graphql\'s message, not an internal error', async () => {
    const res = await h.gql('mutation($r: [Role!]!) { setUserRoles(userId: "x", roles: $r) { id } }', { r: ['agent'] }, await h.adminToken());
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/Value "agent" does not exist in "Role" enum/);
  });
});

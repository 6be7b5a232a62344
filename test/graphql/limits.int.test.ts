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

  it('refuses a query that spreads a fragment past the fields the complexity count weighs, over HTTP and graphql-ws', async () => {
    // 1112 × 9 fields is over the 10,000 fields graphql-query-complexity weighs: it used to give up and let the query run unweighed.
    const query = `{ ${Array.from({ length: 1112 }, (_, i) => `a${i}: me { ...M }`).join(' ')} } fragment M on Me { userId username roles agentId sessionId deviceId displayName }`;
    const res = await h.gql(query, {}, token);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^The query is too complex: it selects more than 10000 fields/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(res.data).toBeUndefined();
    const client = h.wsClient({ authorization: `Bearer ${token}` });
    let refused: unknown;
    try {
      for await (const result of client.iterate({ query })) refused = result;
    } catch (errors) {
      refused = errors;
    }
    expect(refused).toEqual([expect.objectContaining({ message: expect.stringMatching(/^The query is too complex/), extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
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

describe('documents the validation rules could not take', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ env: { CALLSTREAM_GRAPHQL_MAX_TOKENS: '2000' } });
    token = await h.adminToken();
  });

  afterAll(async () => {
    await h.close();
  });

  const chain = (length: number): string =>
    `query { me { ...F0 } } ${Array.from({ length }, (_, i) => `fragment F${i} on Me { ${i + 1 < length ? `...F${i + 1}` : 'userId'} }`).join(' ')}`;
  const documents = {
    unknownFragment: 'query { me { ...Nowhere } }',
    fragmentCycle: 'query { me { ...A } } fragment A on Me { ...B } fragment B on Me { ...A }',
    selfSpread: 'query { me { ...A } } fragment A on Me { userId ...A }',
  };

  it('answers unknown and cyclic fragments with a validation error, not an internal error, with or without a token', async () => {
    for (const query of Object.values(documents)) {
      for (const bearer of [token, undefined]) {
        const res = await h.gql(query, {}, bearer);
        expect([query, res.status, errorCode(res)]).toEqual([query, 400, 'GRAPHQL_VALIDATION_FAILED']);
      }
    }
    const chained = await h.gql<{ me: { userId: string } }>(chain(100), {}, token);
    expect(chained.errors).toBeUndefined();
    expect(chained.data?.me.userId).toEqual(expect.any(String));
  });

  it('refuses a document over the token limit before validating it', async () => {
    const res = await h.gql(chain(400), {}, token);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors?.[0].message).toMatch(/more that 2000 tokens/);
  });

  it('does the same over graphql-ws', async () => {
    const client = h.wsClient({ authorization: `Bearer ${token}` });
    const codes: Array<string | undefined> = [];
    for (const query of [...Object.values(documents), chain(400)]) {
      try {
        for await (const result of client.iterate({ query })) codes.push(String(result.errors?.[0]?.extensions?.code));
      } catch (errors) {
        codes.push((errors as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code);
      }
    }
    expect(codes).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);
  });

  it('answers a body over 1 MiB or not JSON with a JSON error, and closes a graphql-ws connection on a message over 1 MiB', async () => {
    const post = async (body: string): Promise<[number, string | null, unknown]> => {
      const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return [res.status, res.headers.get('content-type'), await res.json()];
    };
    expect(await post(JSON.stringify({ query: `{ me { userId } } # ${'x'.repeat(1024 * 1024)}` }))).toEqual([
      413,
      expect.stringMatching(/^application\/json/),
      { errors: [{ message: 'The request body exceeds 1048576 bytes', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
    ]);
    expect(await post('{"query": ')).toEqual([400, expect.stringMatching(/^application\/json/), { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }]);

    const closed = await new Promise<number>((resolve) => {
      const client = h.wsClient({ authorization: `Bearer ${token}` }, (code) => resolve(code));
      client.subscribe({ query: `{ me { userId } } # ${'x'.repeat(1024 * 1024)}` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(closed).toBe(1009);
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

  it('refuse a JSON argument nested deeper than 64 levels with BAD_USER_INPUT, not an internal error', async () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const post = async (depth: number) => {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await h.adminToken()}` },
        // Built as text: JSON.stringify itself cannot nest 20,000 levels.
        body: `{"query":"mutation($q: JSON!) { configureQueue(queue: $q) { position } }","variables":{"q":${nested(depth)}}}`,
      });
      return (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    };
    for (const depth of [65, 20_000]) {
      const res = await post(depth);
      expect(res.errors?.[0]).toMatchObject({ message: expect.stringMatching(/JSON nests deeper than 64 levels/), extensions: { code: 'BAD_USER_INPUT' } });
    }
    // Within the limit the value reaches the resolver, which finds it is not a queue.
    expect((await post(64)).errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Invalid queue/), extensions: { code: 'BAD_USER_INPUT' } });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { getNamedType } from 'graphql';
import { AGENT_COLLECTIONS, AGENT_IDLE_TIME_PROJECTION } from '../../projections/agent-idle-time/agentIdleTimeProjection';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import { QUEUE_PROJECTION } from '../../projections/queue/queueProjection';
import { callStreamId, type TelnyxWebhookReceivedData } from '../../api/webhooks/webhookIntake';
import { agentProfileInput, errorCode, startHarness, type GraphQLResponse, type Harness } from '../graphql/support/apiHarness';
import { agentDoc, connectedCallDoc, ReadModelFixture } from '../graphql/support/readModelDocs';
import { generateTelnyxKeys, signedHeaders } from '../support/telnyxSigning';
import { callWebhooks } from '../webhooks/callScript';
import { startWebhookServer, type WebhookServer } from '../webhooks/harness';
import { eventCount, FUZZ_RUNS, FUZZ_SEED, fuzzParameters, report, sorted, Tally } from './support/campaign';
import {
  claimsOf,
  deepQueryRoots,
  deepestSelection,
  rawWsClose,
  sessionSecretOf,
  signToken,
  tokenCount,
  unsignedToken,
  wsCode,
  wsOutcome,
  type Claims,
  type Operation,
} from './support/graphqlAbuse';
import { BODY_LIMIT, headersFor, post, streamUpload, webhookCategories } from './support/webhookAbuse';

/**
 * The abuse part of the reliability suite: generated campaigns of hostile input against the webhook
 * intake and the GraphQL API, each asserting the exact refusal per category, that the server keeps
 * answering, and that nothing reaches the event store. Each test prints one `{"abuse":{...}}` line
 * with its counts. RELIABILITY_FUZZ_RUNS and RELIABILITY_FUZZ_SEED (support/campaign.ts) size and
 * replay the campaigns; RELIABILITY_STREAMED_BODY_MB sizes the streamed upload (64 MiB).
 */

const STREAMED_BODY_BYTES = Number(process.env.RELIABILITY_STREAMED_BODY_MB ?? 64) * 1024 * 1024;

jest.setTimeout(120_000);

describe('webhook intake under abuse', () => {
  let server: WebhookServer;
  const foreignKeys = [generateTelnyxKeys(), generateTelnyxKeys(), generateTelnyxKeys()];

  beforeAll(async () => {
    server = await startWebhookServer();
  });

  afterAll(async () => {
    await server.close();
  });

  /** A valid webhook after a batch: the intake still answers, and stores it. */
  const deliverCanary = async (): Promise<void> => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    expect(await server.deliver(webhook.body())).toMatchObject({ status: 200, body: { status: 'appended', webhookId: webhook.id } });
    const stored = await server.store.readStream(callStreamId(webhook.callSessionId));
    expect(stored.map((event) => (event.data as TelnyxWebhookReceivedData).webhookId)).toEqual([webhook.id]);
  };

  it('refuses every malformed, oversized, unsigned, stale, replayed or foreign-signed delivery with its 4xx, keeps answering, and appends nothing', async () => {
    const tally = new Tally();
    const statsBefore = server.router.intake.stats();
    const appendedPerCategory: Record<string, number> = {};
    let canaries = 0;

    for (const [index, category] of webhookCategories(foreignKeys.length).entries()) {
      const before = await eventCount(server.store);
      await fc.assert(
        fc.asyncProperty(category.arbitrary, async (delivery) => {
          const answer = await post(server, delivery.body, headersFor(delivery, server, foreignKeys));
          tally.add('byCategory', delivery.category);
          tally.add('byStatus', String(answer.status));
          tally.add('rejected', answer.reason ?? `unexpected ${JSON.stringify(answer.body).slice(0, 60)}`);
          expect({ category: delivery.category, status: answer.status, reason: answer.reason }).toEqual({ category: delivery.category, ...delivery.expected });
          expect(answer.body).toMatchObject({ error: { code: answer.status === 401 ? 'UNAUTHENTICATED' : 'VALIDATION' } });
        }),
        fuzzParameters(index, Math.max(1, Math.round(FUZZ_RUNS * category.share))),
      );
      appendedPerCategory[category.name] = (await eventCount(server.store)) - before;
      await deliverCanary();
      canaries += 1;
    }

    const stats = server.router.intake.stats();
    const rejectedByIntake = Object.fromEntries(
      Object.entries(stats.rejected).map(([reason, count]) => [reason, (count ?? 0) - (statsBefore.rejected[reason as keyof typeof stats.rejected] ?? 0)]),
    );
    const bodies = tally.total('byCategory');
    report({
      test: 'webhookFuzz',
      seed: FUZZ_SEED,
      runsPerCategory: FUZZ_RUNS,
      webhookBodies: bodies,
      byCategory: sorted(tally.group('byCategory')),
      byStatus: sorted(tally.group('byStatus')),
      rejected: sorted(tally.group('rejected')),
      appended: Object.values(appendedPerCategory).reduce((sum, n) => sum + n, 0),
      canaries,
      internalErrors: stats.internalErrors - statsBefore.internalErrors,
    });

    expect(appendedPerCategory).toEqual(Object.fromEntries(Object.keys(appendedPerCategory).map((name) => [name, 0])));
    expect(Object.values(tally.group('byCategory')).every((count) => count > 0)).toBe(true);
    expect(Object.keys(tally.group('byCategory'))).toHaveLength(webhookCategories(foreignKeys.length).length);
    // The intake's own counters saw the same refusals, no defect, and only the canaries appended.
    expect(sorted(rejectedByIntake)).toEqual(sorted(tally.group('rejected')));
    expect(stats.received - statsBefore.received).toBe(bodies + canaries);
    expect(stats.appended - statsBefore.appended).toBe(canaries);
    expect(stats.internalErrors - statsBefore.internalErrors).toBe(0);
    expect(stats.storeErrors - statsBefore.storeErrors).toBe(0);
  });

  it('answers 413 to a body streamed far past the limit without holding it in memory', async () => {
    const before = await eventCount(server.store);

    const upload = await streamUpload(`${server.url}/webhooks/telnyx`, STREAMED_BODY_BYTES, STREAMED_BODY_BYTES / 8);

    const appended = (await eventCount(server.store)) - before;
    report({ test: 'webhookStreamedBody', webhookBodies: 1, bytesSent: upload.bytesSent, limit: BODY_LIMIT, status: upload.status, checkpoints: upload.checkpoints, retainedAfterGcBytes: upload.retainedAfterGc, appended });
    expect(upload.status).toBe(413);
    expect(JSON.parse(upload.body)).toMatchObject({ error: { code: 'VALIDATION', reason: 'body_too_large' } });
    expect(upload.bytesSent).toBeGreaterThanOrEqual(STREAMED_BODY_BYTES);
    // Read and dropped past the limit: a server keeping the body would hold about 7/8 of it at the last checkpoint.
    expect(upload.checkpoints).toBe(7);
    expect(upload.retainedAfterGc).toBeLessThan(STREAMED_BODY_BYTES / 4);
    expect(appended).toBe(0);
    await deliverCanary();
  });

  it('answers 200 duplicate to every replay of a stored delivery, on either path, and appends nothing', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    const body = Buffer.from(webhook.body(), 'utf8');
    const headers = { 'content-type': 'application/json', ...signedHeaders(server.keys.privateKey, body) };
    expect(await post(server, body, headers)).toMatchObject({ status: 200, body: { status: 'appended', webhookId: webhook.id } });
    const before = await eventCount(server.store);

    const tally = new Tally();
    for (let sent = 0; sent < FUZZ_RUNS; sent += 10) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(10, FUZZ_RUNS - sent) }, (_, i) => post(server, body, headers, (sent + i) % 2 === 0 ? '/webhooks/telnyx' : '/webhooks/telnyx/failover')),
      );
      for (const answer of answers) tally.add('answers', `${answer.status} ${String(answer.body.status)}`);
    }

    const appended = (await eventCount(server.store)) - before;
    report({ test: 'webhookReplay', webhookBodies: FUZZ_RUNS, answers: tally.group('answers'), appended });
    expect(tally.group('answers')).toEqual({ '200 duplicate': FUZZ_RUNS });
    expect(appended).toBe(0);
    expect(await server.store.readStream(callStreamId(webhook.callSessionId))).toHaveLength(1);
  });
});

// ---- GraphQL ------------------------------------------------------------------------------------

type Transport = 'http' | 'ws';

/** One operation over HTTP or graphql-ws, reduced to [HTTP status or 'ws', error code]. */
const run = async (h: Harness, transport: Transport, token: string | undefined, operation: Operation): Promise<{ status: number | 'ws'; code: string | undefined; message: string | undefined }> => {
  if (transport === 'ws') {
    const outcome = await wsOutcome(h, token === undefined ? {} : { authorization: `Bearer ${token}` }, operation);
    return { status: 'ws', code: wsCode(outcome), message: outcome.kind === 'errors' ? outcome.message : outcome.kind === 'result' ? outcome.result.errors?.[0]?.message : outcome.reason };
  }
  const res: GraphQLResponse<unknown> = await h.gql(operation.query, operation.variables ?? {}, token);
  return { status: res.status, code: errorCode(res), message: res.errors?.[0]?.message };
};

/** A JSON body posted as it is (a batch, say), with the parsed answer. */
const postRaw = async (h: Harness, body: string, token?: string): Promise<{ status: number; json: unknown }> => {
  const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  return { status: res.status, json: await res.json() };
};

const profile = (agentId: string) => agentProfileInput(agentId);

const CONFIGURE_AGENT = 'mutation($agent: JSON!) { configureAgentProfile(agent: $agent) { position } }';

describe('GraphQL limits under abuse (depth limit 2, the other limits as shipped)', () => {
  const MAX_DEPTH = 2;
  let h: Harness;
  const tokens: Record<'admin' | 'agent' | 'supervisor', string> = { admin: '', agent: '', supervisor: '' };

  beforeAll(async () => {
    // No field of the real schema nests past the shipped depth limit (12), so it is lowered here to
    // reach it with real fields; complexity (2000), tokens (10,000) and body sizes are as shipped.
    h = await startHarness({ projections: true, env: { CALLSTREAM_GRAPHQL_MAX_DEPTH: String(MAX_DEPTH) } });
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    tokens.admin = await h.adminToken();
    tokens.agent = (await h.login('ann')).accessToken;
    tokens.supervisor = (await h.login('sue')).accessToken;
    expect((await h.gql(CONFIGURE_AGENT, { agent: profile('ann') }, tokens.admin)).errors).toBeUndefined();
  });

  afterAll(async () => {
    await h.close();
  });

  it('refuses deep, expensive, huge and batched operations over HTTP and graphql-ws, and appends nothing', async () => {
    const schema = h.server.schema;
    const maxComplexity = h.config.graphqlMaxComplexity;
    const maxTokens = h.config.graphqlMaxTokens;
    const tokenFor = (roles: string[]): string => (roles.includes('admin') ? tokens.admin : roles.includes('supervisor') ? tokens.supervisor : tokens.agent);
    const tally = new Tally();
    const before = await eventCount(h.events);

    // Deep: every root query whose real selection nests past the limit, and mutations that would append.
    const roots = deepQueryRoots(schema, MAX_DEPTH);
    expect(roots.length).toBeGreaterThan(3);
    const agentResult = deepestSelection(getNamedType(schema.getMutationType()!.getFields().setMyStatus.type));
    const deepOperations: Array<{ name: string; token: string; type: string; field: string; selection: string }> = [
      ...roots.map((root) => ({ name: root.field, token: tokenFor(root.roles), type: root.type, field: root.field, selection: root.selection })),
      { name: 'setMyStatus', token: tokens.agent, type: 'AgentActionResult', field: 'setMyStatus(status: AVAILABLE)', selection: agentResult.text },
      { name: 'setAgentStatus', token: tokens.admin, type: 'AgentActionResult', field: 'setAgentStatus(agentId: "ann", status: BREAK)', selection: agentResult.text },
    ];
    const deep = fc
      .record({ operation: fc.constantFrom(...deepOperations), form: fc.constantFrom('plain', 'inline', 'fragment', 'alias'), transport: fc.constantFrom<Transport>('http', 'ws') })
      .map(({ operation, form, transport }) => {
        const kind = operation.name.startsWith('set') ? 'mutation' : 'query';
        const root = kind === 'mutation' ? 'Mutation' : 'Query';
        const query =
          form === 'inline'
            ? `${kind} { ... on ${root} { ${operation.field} { ${operation.selection} } } }`
            : form === 'fragment'
              ? `${kind} { ${operation.field} { ...Deep } } fragment Deep on ${operation.type} { ${operation.selection} }`
              : `${kind} { ${form === 'alias' ? 'x: ' : ''}${operation.field} { ${operation.selection} } }`;
        return { category: 'deep', transport, token: operation.token, operation: { query }, expect: { code: 'GRAPHQL_VALIDATION_FAILED', message: new RegExp(`exceeds maximum operation depth of ${MAX_DEPTH}`) } };
      });

    // Expensive: aliases, fragments spread many times, a paged list asked for in bulk, aliased mutations.
    const ME_FIELDS = 'userId username roles agentId sessionId deviceId displayName';
    const expensiveQuery = fc.oneof(
      fc.integer({ min: maxComplexity / 2 + 1, max: 1600 }).map((n) => ({ token: tokens.admin, query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { userId }`).join(' ')} }` })),
      fc.integer({ min: 260, max: 1200 }).map((n) => ({ token: tokens.admin, query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { ...M }`).join(' ')} } fragment M on Me { ${ME_FIELDS} }` })),
      fc.integer({ min: maxComplexity / 2, max: 1_000_000 }).map((n) => ({ token: tokens.admin, query: `{ callHistory(first: ${n}) { nodes { id } } }` })),
      fc.integer({ min: maxComplexity / 2 + 1, max: 1150 }).map((n) => ({ token: tokens.agent, query: `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: setMyStatus(status: AVAILABLE) { events }`).join(' ')} }` })),
    );
    const expensive = fc.tuple(expensiveQuery, fc.constantFrom<Transport>('http', 'ws')).map(([{ token, query }, transport]) => ({
      category: 'expensive',
      transport,
      token,
      operation: { query },
      // Past the token limit the parser refuses it before its complexity is counted.
      expect:
        tokenCount(query) > maxTokens
          ? { code: 'GRAPHQL_PARSE_FAILED', message: new RegExp(`more that ${maxTokens} tokens`) }
          : { code: 'GRAPHQL_VALIDATION_FAILED', message: new RegExp(`^The query is too complex: (its complexity is \\d+, the maximum is|it selects more than \\d+ fields .*, the maximum complexity is) ${maxComplexity}$`) },
    }));

    // Huge or broken documents: over 1 MiB, over the token limit, nested past the parser, fragments that do not add up.
    const huge = fc.tuple(
      fc.oneof(
        fc.integer({ min: 1024 * 1024, max: 3 * 1024 * 1024 }).map((size) => ({ kind: 'overMiB', query: `{ me { userId } } # ${'x'.repeat(size)}` })),
        fc.integer({ min: Math.ceil(maxTokens / 6) + 1, max: 20_000 }).map((n) => ({ kind: 'overTokens', query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { userId }`).join(' ')} }` })),
        // Three tokens a level: past the token limit, whether or not the parser's recursion gives out first.
        fc.integer({ min: Math.ceil(maxTokens / 3) + 1, max: 60_000 }).map((n) => ({ kind: 'nested', query: `{ me ${'{ a '.repeat(n)}${'}'.repeat(n)} }` })),
        fc.constantFrom(
          { kind: 'fragments', query: '{ me { ...Nowhere } }' },
          { kind: 'fragments', query: '{ me { ...A } } fragment A on Me { ...B } fragment B on Me { ...A }' },
          { kind: 'fragments', query: '{ me { ...A } } fragment A on Me { userId ...A }' },
        ),
      ),
      fc.constantFrom<Transport>('http', 'ws'),
      fc.boolean(),
    ).map(([{ kind, query }, transport, withToken]) => ({
      category: `huge:${kind}`,
      transport,
      // Refused before anyone is asked who is calling.
      token: withToken ? tokens.admin : undefined,
      operation: { query },
      expect:
        kind === 'overMiB'
          ? { code: transport === 'http' ? 'PAYLOAD_TOO_LARGE' : 'close:1009', message: transport === 'http' ? /^The request body exceeds 1048576 bytes$/ : /^$/ }
          : kind === 'fragments'
            ? { code: 'GRAPHQL_VALIDATION_FAILED', message: /fragment/i }
            : { code: 'GRAPHQL_PARSE_FAILED', message: /./ },
    }));

    const campaigns = [
      { name: 'deep', arbitrary: deep },
      { name: 'expensive', arbitrary: expensive },
      { name: 'huge', arbitrary: huge },
    ];
    for (const [index, campaign] of campaigns.entries()) {
      await fc.assert(
        fc.asyncProperty(campaign.arbitrary, async (attempt) => {
          // graphql-ws needs a token to get as far as sending a document.
          const token = attempt.transport === 'ws' ? (attempt.token ?? tokens.admin) : attempt.token;
          const answer = await run(h, attempt.transport, token, attempt.operation);
          tally.add('byCategory', `${attempt.category}:${attempt.transport}`);
          tally.add('refused', answer.code ?? 'none');
          expect(answer.code).toBe(attempt.expect.code);
          expect(answer.message).toMatch(attempt.expect.message);
          if (answer.status !== 'ws') expect(answer.status).toBe(attempt.expect.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400);
        }),
        fuzzParameters(100 + index),
      );
    }

    // Batches: HTTP arrays of mutations (Apollo's batching is off), and an array sent as one graphql-ws message.
    const batchOperation = fc.constantFrom(
      { token: tokens.agent, query: 'mutation { setMyStatus(status: AVAILABLE) { events } }' },
      { token: tokens.admin, query: 'mutation($agent: JSON!) { configureAgentProfile(agent: $agent) { events } }', variables: { agent: profile('batched') } },
      { token: tokens.admin, query: 'mutation { setAgentStatus(agentId: "ann", status: BREAK) { events } }' },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(batchOperation, { minLength: 2, maxLength: 50 }), fc.boolean(), async (operations, overWs) => {
        const token = operations[0].token;
        if (overWs) {
          const message = JSON.stringify(operations.map((operation, i) => ({ id: `op-${i}`, type: 'subscribe', payload: { query: operation.query, variables: operation.variables ?? {} } })));
          const code = await rawWsClose(h, token, message);
          tally.add('byCategory', 'batched:ws');
          tally.add('refused', `close:${code}`);
          expect(code).toBe(4400);
        } else {
          const answer = await postRaw(h, JSON.stringify(operations.map(({ query, variables }) => ({ query, variables }))), token);
          tally.add('byCategory', 'batched:http');
          tally.add('refused', 'BAD_REQUEST');
          expect(answer).toEqual({ status: 400, json: { errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] } });
        }
      }),
      fuzzParameters(110),
    );

    const appended = (await eventCount(h.events)) - before;
    // The control: the mutation the deep, aliased and batched attempts carried appends when sent plainly.
    const control = await h.gql<{ setMyStatus: { events: string[] } }>('mutation { setMyStatus(status: AVAILABLE) { events } }', {}, tokens.agent);
    const controlAppended = (await eventCount(h.events)) - before - appended;
    report({
      test: 'graphqlLimits',
      seed: FUZZ_SEED,
      graphqlRequests: tally.total('byCategory'),
      byCategory: sorted(tally.group('byCategory')),
      refused: sorted(tally.group('refused')),
      limits: { maxDepth: MAX_DEPTH, maxComplexity, maxTokens },
      appended,
      controlAppended,
    });
    expect(appended).toBe(0);
    expect(tally.group('refused').none).toBeUndefined();
    expect(control.data?.setMyStatus.events).toEqual(['AgentLoggedIn']);
    expect(controlAppended).toBeGreaterThan(0);
  });
});

describe('GraphQL tokens and roles under abuse', () => {
  let h: Harness;
  let secret: string;
  const ids: Record<'root' | 'ann' | 'carl' | 'sue' | 'ada', string> = { root: '', ann: '', carl: '', sue: '', ada: '' };
  const tokens: Record<'root' | 'rootRefresh' | 'ann' | 'annForged' | 'sue' | 'ada' | 'deactivated' | 'loggedOut', string> = {
    root: '',
    rootRefresh: '',
    ann: '',
    annForged: '',
    sue: '',
    ada: '',
    deactivated: '',
    loggedOut: '',
  };

  beforeAll(async () => {
    h = await startHarness();
    secret = sessionSecretOf(h);
    ids.ann = await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    ids.carl = await h.createUser({ username: 'carl', roles: ['AGENT'], agentId: 'carl' });
    ids.sue = await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    ids.ada = await h.createUser({ username: 'ada', roles: ['ANALYST'] });
    const adamId = await h.createUser({ username: 'adam', roles: ['ADMIN'] });
    await h.createUser({ username: 'lou', roles: ['ADMIN'] });
    const root = await h.login('root', 'root-password-1', 'root-desk');
    ids.root = root.me.userId;
    tokens.root = root.accessToken;
    tokens.rootRefresh = root.refreshToken;
    tokens.ann = (await h.login('ann')).accessToken;
    tokens.sue = (await h.login('sue')).accessToken;
    tokens.ada = (await h.login('ada')).accessToken;
    // Ann's own session, re-signed with the server's secret claiming every role: roles come from the directory, not the token.
    tokens.annForged = await signToken(secret, { ...claimsOf(tokens.ann), roles: ['admin', 'supervisor', 'analyst', 'agent'] });
    tokens.deactivated = (await h.login('adam')).accessToken;
    expect((await h.gql('mutation($id: ID!) { deactivateUser(userId: $id) { active } }', { id: adamId }, tokens.root)).errors).toBeUndefined();
    tokens.loggedOut = (await h.login('lou')).accessToken;
    expect((await h.gql('mutation { logout }', {}, tokens.loggedOut)).errors).toBeUndefined();
    expect((await h.gql(CONFIGURE_AGENT, { agent: profile('ann') }, tokens.root)).errors).toBeUndefined();
    expect((await h.gql(CONFIGURE_AGENT, { agent: profile('carl') }, tokens.root)).errors).toBeUndefined();

    // Carl is on a call and has an offer ringing, as the read models would show it.
    const fixture = new ReadModelFixture(h.readModels);
    for (const projection of [AGENT_IDLE_TIME_PROJECTION, CALL_HISTORY_PROJECTION, QUEUE_PROJECTION]) await fixture.activate(projection);
    await fixture.write(
      AGENT_IDLE_TIME_PROJECTION,
      AGENT_COLLECTIONS.agents,
      agentDoc('carl', {
        status: 'Available',
        state: 'OnCall',
        currentCall: { callId: 'call-carl', direction: 'inbound', offerId: null, since: '2026-03-02T10:00:40.000Z', queueId: 'support', via: 'queue', held: false, heldSince: null, holdSeconds: 0 },
      }),
      agentDoc('ann', { status: 'Available', state: 'Available' }),
    );
    await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, connectedCallDoc('call-carl', 'carl'));
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers UNAUTHENTICATED to garbage, expired, foreign, unsigned, refresh, deactivated and ended-session tokens over HTTP and graphql-ws, and appends nothing', async () => {
    const root: Claims = claimsOf(tokens.root);
    const now = Math.floor(Date.now() / 1000);
    const known: Record<string, string> = {
      expired: await signToken(secret, root, { issuedAt: now - 7200, expiresAt: now - 3600 }),
      foreignSecret: await signToken(randomBytes(32).toString('hex'), root),
      hs512: await signToken(secret, root, { algorithm: 'HS512' }),
      otherIssuer: await signToken(secret, root, { issuer: 'not-callstream' }),
      refreshAudience: await signToken(secret, root, { audience: 'callstream-refresh' }),
      algNone: unsignedToken(root, 'none'),
      algNoneCapital: unsignedToken(root, 'None'),
      algNoneUpper: unsignedToken(root, 'NONE'),
      algNoneSigned: unsignedToken(root, 'none', tokens.root.split('.')[2]),
      algHs256Unsigned: unsignedToken(root, 'HS256'),
      refreshAsAccess: tokens.rootRefresh,
      deactivatedUser: tokens.deactivated,
      loggedOutSession: tokens.loggedOut,
      unknownUser: await signToken(secret, { sub: randomUUID(), sid: randomUUID(), roles: ['admin'] }),
      endedSessionOfRoot: await signToken(secret, { ...root, sid: randomUUID() }),
    };
    const printable = (text: string): string => text.replace(/[^\x21-\x7e]/g, '');
    const segment = fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
    const json = fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'));
    const garbage = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 300 }).map(printable),
        fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
        fc.tuple(json, json, segment).map((parts) => parts.join('.')),
        fc.tuple(segment, segment).map((parts) => parts.join('.')),
      )
      .filter((token) => token.length > 0);
    // Signed with the server's own secret: real or made-up users, sessions that are not theirs, any roles.
    const forgedClaims = fc.record({
      sub: fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom('__proto__', 'constructor', 'toString', ids.root, ids.ann)),
      sid: fc.oneof(fc.string({ maxLength: 64 }), fc.uuid(), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty')),
      roles: fc.subarray(['admin', 'supervisor', 'analyst', 'agent', 'root', '__proto__']),
    });
    const header = fc.constantFrom('Basic cm9vdDpyb290LXBhc3N3b3JkLTE=', 'Bearer', 'Bearer a b', 'Token abc', `Bearer${tokens.root}`, `${tokens.root}`);

    // A mutation the env admin would be let through (it appends a user), and a plain query.
    const createUser = (username: string): Operation => ({
      query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      variables: { input: { username, roles: ['ADMIN'], password: 'password-123456' } },
    });
    const operation = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9]{2,15}$/).map(createUser),
      fc.constant<Operation>({ query: '{ me { userId roles } }' }),
      fc.constant<Operation>({ query: '{ users { id } }' }),
    );
    const tally = new Tally();
    const before = await eventCount(h.events);

    const attempt = async (category: string, token: string, op: Operation, transport: Transport): Promise<void> => {
      const answer = await run(h, transport, token, op);
      tally.add('byCategory', `${category}:${transport}`);
      tally.add('refused', answer.code ?? 'none');
      expect({ category, code: answer.code }).toEqual({ category, code: transport === 'ws' ? 'close:4401' : 'UNAUTHENTICATED' });
    };
    const transport = fc.constantFrom<Transport>('http', 'ws');

    for (const [name, token] of Object.entries(known)) {
      for (const via of ['http', 'ws'] as const) {
        await attempt(name, token, createUser(`u${randomBytes(4).toString('hex')}`), via);
        await attempt(name, token, { query: '{ me { userId } }' }, via);
      }
    }
    await fc.assert(
      fc.asyncProperty(garbage, operation, transport, async (token, op, via) => attempt('garbage', token, op, via)),
      fuzzParameters(200),
    );
    await fc.assert(
      fc.asyncProperty(forgedClaims, operation, transport, async (claims, op, via) => attempt('forgedClaims', await signToken(secret, claims), op, via)),
      fuzzParameters(201),
    );
    await fc.assert(
      fc.asyncProperty(header, operation, async (value, op) => {
        const res = await h.gql(op.query, op.variables ?? {}, undefined, { authorization: value });
        tally.add('byCategory', 'authorizationHeader:http');
        tally.add('refused', errorCode(res) ?? 'none');
        expect(errorCode(res)).toBe('UNAUTHENTICATED');
      }),
      fuzzParameters(202, Math.min(FUZZ_RUNS, 30)),
    );

    const appended = (await eventCount(h.events)) - before;
    const control = await h.gql(createUser('control-admin').query, createUser('control-admin').variables, tokens.root);
    const controlAppended = (await eventCount(h.events)) - before - appended;
    report({
      test: 'graphqlTokens',
      seed: FUZZ_SEED,
      graphqlRequests: tally.total('byCategory'),
      byCategory: sorted(tally.group('byCategory')),
      refused: sorted(tally.group('refused')),
      appended,
      controlAppended,
    });
    expect(appended).toBe(0);
    expect(Object.keys(tally.group('refused')).sort()).toEqual(['UNAUTHENTICATED', 'close:4401']);
    expect(control.errors).toBeUndefined();
    expect(controlAppended).toBeGreaterThan(0);
  });

  it('answers FORBIDDEN to role escalation, to an agent acting on another agent, and to forged role claims, over HTTP and graphql-ws, and appends nothing', async () => {
    const userId = fc.oneof(fc.constantFrom(ids.root, ids.carl, ids.sue, ids.ada, ids.ann), fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));
    const agentId = fc.oneof(fc.constantFrom('carl', 'ann'), fc.string({ minLength: 1, maxLength: 40 }));
    const callId = fc.oneof(fc.constant('call-carl'), fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));
    const roles = fc.subarray(['ADMIN', 'SUPERVISOR', 'AGENT', 'ANALYST'], { minLength: 1 });
    const config = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    const password = fc.constant('password-123456');
    const status = fc.constantFrom('AVAILABLE', 'BREAK', 'OFFLINE');

    type Attempt = { name: string; query: string; variables: fc.Arbitrary<Record<string, unknown>> };
    const attempt = (name: string, query: string, variables: Record<string, fc.Arbitrary<unknown>> = {}): Attempt => ({ name, query, variables: fc.record(variables) });

    const adminOnly: Attempt[] = [
      attempt('createUser', 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
        input: fc.record({ username: fc.stringMatching(/^[a-z][a-z0-9]{2,15}$/), roles, password, agentId: fc.constant('ann') }),
      }),
      attempt('setUserRoles', 'mutation($userId: ID!, $roles: [Role!]!) { setUserRoles(userId: $userId, roles: $roles) { id } }', { userId, roles }),
      attempt('resetUserPassword', 'mutation($userId: ID!, $password: String!) { resetUserPassword(userId: $userId, password: $password) { id } }', { userId, password }),
      attempt('deactivateUser', 'mutation($userId: ID!) { deactivateUser(userId: $userId) { id } }', { userId }),
      attempt('reactivateUser', 'mutation($userId: ID!) { reactivateUser(userId: $userId) { id } }', { userId }),
      attempt('revokeUserSessions', 'mutation($userId: ID!) { revokeUserSessions(userId: $userId) { id } }', { userId }),
      attempt('users', '{ users { id username roles } }'),
      attempt('configureQueue', 'mutation($q: JSON!) { configureQueue(queue: $q) { position } }', { q: config }),
      attempt('configureSettings', 'mutation($s: JSON!) { configureSettings(settings: $s) { position } }', { s: config }),
      attempt('configureAgentProfile', 'mutation($a: JSON!) { configureAgentProfile(agent: $a) { position } }', { a: fc.constant({ ...profile('ann'), supervisor: true }) }),
      attempt('removeAgentProfile', 'mutation($id: String!) { removeAgentProfile(agentId: $id) { position } }', { id: agentId }),
      attempt('eventHistory', '{ eventHistory(first: 5) { nodes { position } } }'),
    ];
    const supervisorOnly: Attempt[] = [
      attempt('setAgentStatus', 'mutation($id: ID!, $s: AgentStatus!) { setAgentStatus(agentId: $id, status: $s) { position } }', { id: agentId, s: status }),
      attempt('logoutAgent', 'mutation($id: ID!) { logoutAgent(agentId: $id) { position } }', { id: agentId }),
      attempt('superviseCall', 'mutation($c: ID!, $r: SupervisorRole!) { superviseCall(callId: $c, role: $r) { position } }', { c: callId, r: fc.constantFrom('MONITOR', 'WHISPER', 'BARGE') }),
    ];
    // An agent on a call or an offer that is not its own.
    const othersCalls: Attempt[] = [
      // (pickCall is not here: a waiting call is anyone's to pick, and the call's decider refuses the rest.)
      ...['holdCall', 'unholdCall', 'hangupCall', 'startRecording', 'pauseRecording', 'startTranscription', 'requestCallback'].map((name) =>
        attempt(name, `mutation($c: ID!) { ${name}(callId: $c) { position } }`, { c: callId }),
      ),
      attempt('sendDtmf', 'mutation($c: ID!) { sendDtmf(callId: $c, digits: "1") { position } }', { c: callId }),
      attempt('transferCall', 'mutation($c: ID!) { transferCall(callId: $c, target: { queueId: "support" }, mode: BLIND) { position } }', { c: callId }),
      attempt('completeWrapUp', 'mutation($c: ID!) { completeWrapUp(callId: $c, disposition: "sold") { position } }', { c: callId }),
      attempt('declineOffer', 'mutation($o: ID!) { declineOffer(offerId: $o) { position } }', { o: fc.oneof(fc.constant('offer-of-carl'), fc.uuid()) }),
      attempt('call', 'query($c: ID!) { call(id: $c) { id } }', { c: fc.constant('call-carl') }),
      attempt('agent', 'query($id: ID!) { agent(id: $id) { id } }', { id: fc.constant('carl') }),
    ];
    const agentOnly: Attempt[] = [
      attempt('setMyStatus', 'mutation($s: AgentStatus!) { setMyStatus(status: $s) { position } }', { s: status }),
      attempt('pickCall', 'mutation($c: ID!) { pickCall(callId: $c) { position } }', { c: callId }),
    ];
    const byActor: Array<{ actor: keyof typeof tokens; attempts: Attempt[] }> = [
      { actor: 'ann', attempts: [...adminOnly, ...supervisorOnly, ...othersCalls] },
      { actor: 'annForged', attempts: [...adminOnly, ...supervisorOnly, ...othersCalls] },
      { actor: 'sue', attempts: [...adminOnly, ...agentOnly] },
      // Analysts read: every call, every agent and the event history are theirs to see.
      { actor: 'ada', attempts: [...adminOnly.filter((a) => a.name !== 'eventHistory'), ...supervisorOnly, ...agentOnly, ...othersCalls.filter((a) => a.name !== 'call' && a.name !== 'agent')] },
    ];
    const cases = fc
      .constantFrom(...byActor.flatMap(({ actor, attempts }) => attempts.map((a) => ({ actor, attempt: a }))))
      .chain(({ actor, attempt: a }) => a.variables.map((variables) => ({ actor, name: a.name, operation: { query: a.query, variables } })));

    const tally = new Tally();
    const before = await eventCount(h.events);
    const wrong: string[] = [];
    const check = async (actor: keyof typeof tokens, name: string, operation: Operation, transport: Transport): Promise<void> => {
      const answer = await run(h, transport, tokens[actor], operation);
      tally.add('byActor', `${actor}:${transport}`);
      tally.add('refused', answer.code ?? 'none');
      if (answer.code !== 'FORBIDDEN') wrong.push(`${actor} ${name} over ${transport}: ${String(answer.code)} ${String(answer.message)} ${JSON.stringify(operation.variables)}`);
    };

    await fc.assert(
      fc.asyncProperty(cases, async ({ actor, name, operation }) => {
        await check(actor, name, operation, 'http');
        expect(wrong).toEqual([]);
      }),
      fuzzParameters(300, FUZZ_RUNS * 4),
    );
    // Every attempt of every actor once over graphql-ws (the sample of the first generated variables).
    for (const { actor, attempts } of byActor) {
      for (const a of attempts) await check(actor, a.name, { query: a.query, variables: fc.sample(a.variables, { numRuns: 1, seed: FUZZ_SEED })[0] }, 'ws');
    }

    const appended = (await eventCount(h.events)) - before;
    // The control: the same kind of change made by an admin appends.
    const control = await h.gql('mutation($userId: ID!) { setUserRoles(userId: $userId, roles: [AGENT, SUPERVISOR]) { roles } }', { userId: ids.carl }, tokens.root);
    const controlAppended = (await eventCount(h.events)) - before - appended;
    report({
      test: 'graphqlRoles',
      seed: FUZZ_SEED,
      graphqlRequests: tally.total('byActor'),
      byActor: sorted(tally.group('byActor')),
      refused: sorted(tally.group('refused')),
      appended,
      controlAppended,
    });
    expect(wrong).toEqual([]);
    expect(appended).toBe(0);
    expect(control.errors).toBeUndefined();
    expect(controlAppended).toBeGreaterThan(0);
  });
});

import { randomUUID } from 'node:crypto';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import type { CallAgentDoc, CallHistoryDoc } from '../../projections/call-history/callHistoryView';
import { errorCode, startHarness, type Harness } from './support/apiHarness';
import { callDoc, connectedCallDoc, ReadModelFixture } from './support/readModelDocs';

const EVENTS = `query($filter: EventHistoryFilter, $first: Int!, $after: String, $newestFirst: Boolean!) {
  eventHistory(filter: $filter, first: $first, after: $after, newestFirst: $newestFirst) {
    nodes { position streamId revision type data metadata occurredAt recordedAt }
    pageInfo { endCursor hasNextPage }
  }
}`;

interface EventNode {
  position: string;
  streamId: string;
  revision: string;
  type: string;
  data: { occurredAt?: string; n: number; nested?: unknown };
  metadata: Record<string, unknown>;
  occurredAt: string | null;
  recordedAt: string;
}

interface EventPage {
  eventHistory: { nodes: EventNode[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

const CALLS = `query($filter: CallHistoryFilter, $first: Int!, $after: String) {
  callHistory(filter: $filter, first: $first, after: $after) { nodes { id queueId outcome agentId startedAt } pageInfo { endCursor hasNextPage } }
}`;

interface CallPage {
  callHistory: { nodes: Array<{ id: string; queueId: string | null; outcome: string; agentId: string | null; startedAt: string }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

const link = (doc: CallHistoryDoc, agentId: string): CallAgentDoc => ({
  _id: `${doc.callId}:${agentId}`,
  callId: doc.callId,
  agentId,
  startedAt: doc.startedAt,
  connectedAt: doc.startedAt ?? '',
  queueId: doc.queueId,
  outcome: doc.outcome,
  callerNumber: doc.callerNumber,
});

describe('history queries', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  let batchTwoFrom: string;
  let fixture: ReadModelFixture;

  beforeAll(async () => {
    h = await startHarness();
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'ada', roles: ['ANALYST'] });
    for (const name of ['ann', 'sue', 'ada']) tokens[name] = (await h.login(name)).accessToken;

    const at = (n: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, n)).toISOString();
    const event = (type: string, n: number) => ({ id: randomUUID(), type, data: { occurredAt: at(n), n, nested: { raw: [1, 'two', { three: true }] } }, metadata: { actor: 'test' } });
    await h.events.append('alpha-1', [event('Opened', 1), event('Noted', 2), event('Closed', 3)]);
    await h.events.append('alpha-2', [event('Opened', 4)]);
    await h.events.append('beta-1', [event('Opened', 5), event('Noted', 6)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    batchTwoFrom = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await h.events.append('alpha-1', [event('Noted', 7)]);

    fixture = new ReadModelFixture(h.readModels);
    await fixture.activate(CALL_HISTORY_PROJECTION);
    const calls = [
      connectedCallDoc('call-1', 'ann', { startedAt: '2026-03-01T09:00:00.000Z', outcome: 'answered', status: 'ended' }),
      connectedCallDoc('call-2', 'bob', { startedAt: '2026-03-01T10:00:00.000Z', outcome: 'answered', status: 'ended' }),
      callDoc('call-3', { startedAt: '2026-03-01T11:00:00.000Z', outcome: 'abandoned', status: 'ended', queueId: 'sales', callerNumber: '+15559990000' }),
      connectedCallDoc('call-4', 'ann', { startedAt: '2026-03-02T09:00:00.000Z', outcome: 'transferred', status: 'ended', queueId: 'sales' }),
    ];
    await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, ...calls);
    await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.callAgents, link(calls[0], 'ann'), link(calls[1], 'bob'), link(calls[3], 'ann'));
  });

  afterAll(async () => {
    await h.close();
  });

  const events = async (variables: { filter?: Record<string, unknown>; first?: number; after?: string; newestFirst?: boolean }) => {
    const res = await h.gql<EventPage>(EVENTS, { first: 100, newestFirst: false, ...variables }, tokens.ada);
    expect(res.errors).toBeUndefined();
    return res.data!.eventHistory;
  };

  describe('eventHistory', () => {
    it('returns the stored data and metadata verbatim', async () => {
      const page = await events({ filter: { streamId: 'beta-1' } });
      expect(page.nodes.map((e) => [e.streamId, e.revision, e.type, e.data.n])).toEqual([
        ['beta-1', '0', 'Opened', 5],
        ['beta-1', '1', 'Noted', 6],
      ]);
      expect(page.nodes[0].data).toEqual({ occurredAt: '2026-03-02T09:00:05.000Z', n: 5, nested: { raw: [1, 'two', { three: true }] } });
      expect(page.nodes[0].metadata).toEqual({ actor: 'test' });
      expect(page.nodes[0].occurredAt).toBe('2026-03-02T09:00:05.000Z');
      expect(page.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by exact stream, stream prefix and types', async () => {
      expect((await events({ filter: { streamId: 'alpha-1' } })).nodes.map((e) => e.data.n)).toEqual([1, 2, 3, 7]);
      expect((await events({ filter: { streamPrefix: 'alpha-' } })).nodes.map((e) => e.data.n)).toEqual([1, 2, 3, 4, 7]);
      expect((await events({ filter: { streamPrefix: 'alpha-', types: ['Noted', 'Closed'] } })).nodes.map((e) => e.data.n)).toEqual([2, 3, 7]);
      expect((await events({ filter: { types: ['Noted'] } })).nodes.map((e) => e.data.n)).toEqual([2, 6, 7]);
    });

    it('pages with the cursor, forwards and newest first', async () => {
      const first = await events({ filter: { streamPrefix: 'alpha-' }, first: 2 });
      expect(first.nodes.map((e) => e.data.n)).toEqual([1, 2]);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await events({ filter: { streamPrefix: 'alpha-' }, first: 2, after: first.pageInfo.endCursor! });
      expect(second.nodes.map((e) => e.data.n)).toEqual([3, 4]);
      const third = await events({ filter: { streamPrefix: 'alpha-' }, first: 2, after: second.pageInfo.endCursor! });
      expect(third.nodes.map((e) => e.data.n)).toEqual([7]);
      expect(third.pageInfo.hasNextPage).toBe(false);

      const newest = await events({ filter: { streamPrefix: 'alpha-' }, first: 3, newestFirst: true });
      expect(newest.nodes.map((e) => e.data.n)).toEqual([7, 4, 3]);
      const older = await events({ filter: { streamPrefix: 'alpha-' }, first: 3, newestFirst: true, after: newest.pageInfo.endCursor! });
      expect(older.nodes.map((e) => e.data.n)).toEqual([2, 1]);
      expect(older.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by an inclusive position range', async () => {
      const all = (await events({ filter: { streamPrefix: 'alpha-' } })).nodes;
      const range = await events({ filter: { fromPosition: all[1].position, toPosition: all[3].position } });
      expect(range.nodes.map((e) => e.position)).toEqual(expect.arrayContaining([all[1].position, all[2].position, all[3].position]));
      expect(range.nodes.every((e) => BigInt(e.position) >= BigInt(all[1].position) && BigInt(e.position) <= BigInt(all[3].position))).toBe(true);
      expect(range.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by the time the store recorded the event', async () => {
      const later = await events({ filter: { streamPrefix: 'alpha-', from: batchTwoFrom } });
      expect(later.nodes.map((e) => e.data.n)).toEqual([7]);
      const earlier = await events({ filter: { streamPrefix: 'alpha-', to: batchTwoFrom } });
      expect(earlier.nodes.map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    });

    it('refuses a malformed position', async () => {
      expect(errorCode(await h.gql(EVENTS, { first: 10, newestFirst: false, filter: { fromPosition: '-1' } }, tokens.ada))).toBe('BAD_USER_INPUT');
      expect(errorCode(await h.gql(EVENTS, { first: 5000, newestFirst: false }, tokens.ada))).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('callHistory', () => {
    const calls = async (token: string, variables: Record<string, unknown>) => {
      const res = await h.gql<CallPage>(CALLS, { first: 25, ...variables }, token);
      expect(res.errors).toBeUndefined();
      return res.data!.callHistory;
    };

    it('lists calls newest first with filters', async () => {
      expect((await calls(tokens.sue, {})).nodes.map((c) => c.id)).toEqual(['call-4', 'call-3', 'call-2', 'call-1']);
      expect((await calls(tokens.sue, { filter: { queueId: 'sales' } })).nodes.map((c) => c.id)).toEqual(['call-4', 'call-3']);
      expect((await calls(tokens.sue, { filter: { outcome: 'ABANDONED' } })).nodes.map((c) => c.id)).toEqual(['call-3']);
      expect((await calls(tokens.sue, { filter: { callerNumber: '+15559990000' } })).nodes.map((c) => c.id)).toEqual(['call-3']);
      expect((await calls(tokens.ada, { filter: { from: '2026-03-01T09:30:00.000Z', to: '2026-03-01T12:00:00.000Z' } })).nodes.map((c) => c.id)).toEqual(['call-3', 'call-2']);
      expect((await calls(tokens.sue, { filter: { agentId: 'bob' } })).nodes.map((c) => c.id)).toEqual(['call-2']);
    });

    it('pages with a cursor', async () => {
      const first = await calls(tokens.sue, { first: 3 });
      expect(first.nodes.map((c) => c.id)).toEqual(['call-4', 'call-3', 'call-2']);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const rest = await calls(tokens.sue, { first: 3, after: first.pageInfo.endCursor });
      expect(rest.nodes.map((c) => c.id)).toEqual(['call-1']);
      expect(rest.pageInfo.hasNextPage).toBe(false);
    });

    it("gives an agent its own calls only, and refuses another agent's", async () => {
      expect((await calls(tokens.ann, {})).nodes.map((c) => c.id)).toEqual(['call-4', 'call-1']);
      expect((await calls(tokens.ann, { filter: { agentId: 'ann', queueId: 'sales' } })).nodes.map((c) => c.id)).toEqual(['call-4']);
      expect(errorCode(await h.gql(CALLS, { first: 5, filter: { agentId: 'bob' } }, tokens.ann))).toBe('FORBIDDEN');
    });

    it('charges each page item in the complexity limit', async () => {
      const res = await h.gql(`query { callHistory(first: 200) { nodes { id caller { number name contact previousCalls } connections { agentId connectedAt } timeline { type at } } } }`, {}, tokens.sue);
      expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0].message).toMatch(/too complex/);
    });
  });

  it("maps a call's compact timeline and tells what runs on the call now", async () => {
    await fixture.write(
      CALL_HISTORY_PROJECTION,
      CALL_HISTORY_COLLECTIONS.calls,
      connectedCallDoc('call-live', 'ann', {
        startedAt: '2026-02-01T09:00:00.000Z',
        timeline: [
          ['10', '2026-02-01T09:00:00.000Z', 'WebhookReceived', 'call.initiated (customer)', 'wh-1', 'call.initiated'],
          ['12', '2026-02-01T09:00:01.000Z', 'RecordingStarted', 'recording started'],
          ['15', '2026-02-01T09:00:02.000Z', 'TranscriptionStarted', 'transcription started'],
        ],
      }),
    );
    const res = await h.gql<{ call: { recording: string; transcribing: boolean; timeline: unknown[] } }>(
      `query { call(id: "call-live") { recording transcribing timeline { position at type summary webhook { webhookId eventType linkedFrom } } } }`,
      {},
      tokens.ann,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.call).toEqual({
      recording: 'ON',
      transcribing: true,
      timeline: [
        { position: '10', at: '2026-02-01T09:00:00.000Z', type: 'WebhookReceived', summary: 'call.initiated (customer)', webhook: { webhookId: 'wh-1', eventType: 'call.initiated', linkedFrom: null } },
        { position: '12', at: '2026-02-01T09:00:01.000Z', type: 'RecordingStarted', summary: 'recording started', webhook: null },
        { position: '15', at: '2026-02-01T09:00:02.000Z', type: 'TranscriptionStarted', summary: 'transcription started', webhook: null },
      ],
    });
  });

  it('lists routing decisions to supervisors and analysts', async () => {
    const res = await h.gql<{ routingDecisions: unknown[] }>(`query { routingDecisions(callId: "call-1") { decisionId } }`, {}, tokens.ada);
    expect(res.data?.routingDecisions).toEqual([]);
    expect(errorCode(await h.gql(`query { routingDecisions(callId: "call-nope") { decisionId } }`, {}, tokens.sue))).toBe('NOT_FOUND');
  });
});

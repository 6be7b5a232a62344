import { AGENT_COLLECTIONS, AGENT_IDLE_TIME_PROJECTION } from '../../projections/agent-idle-time/agentIdleTimeProjection';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import { QUEUE_COLLECTIONS, QUEUE_PROJECTION } from '../../projections/queue/queueProjection';
import { startHarness, type Harness } from './support/apiHarness';
import { agentDoc, callDoc, connectedCallDoc, queueDoc, ReadModelFixture, waitingCallView } from './support/readModelDocs';
import { subscribe } from './support/subscriptions';

const QUEUE_CHANGED = `subscription($queueId: ID) { queueChanged(queueId: $queueId) { id name waiting calls(first: 10) { callId position caller { number } } } }`;
const QUEUE = `query($id: ID!) { queue(id: $id) { id waiting calls { callId } } }`;

interface QueuePush {
  queueChanged: { id: string; name: string; waiting: number; calls: Array<{ callId: string; position: number; caller: { number: string } }> };
}

describe('subscriptions are fed from the read-model change feed', () => {
  let h: Harness;
  let fixture: ReadModelFixture;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    fixture = new ReadModelFixture(h.readModels);
    await fixture.activate(QUEUE_PROJECTION);
    await fixture.activate(AGENT_IDLE_TIME_PROJECTION);
    await fixture.activate(CALL_HISTORY_PROJECTION);
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    await h.createUser({ username: 'bob', roles: ['AGENT'], agentId: 'bob' });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    for (const name of ['ann', 'bob', 'sue']) tokens[name] = (await h.login(name)).accessToken;
  });

  afterAll(async () => {
    await h.close();
  });

  const ws = (user: string) => h.wsClient({ authorization: `Bearer ${tokens[user]}` });

  it('pushes a queue once its view is written, and the pushed data can be queried at once', async () => {
    const pushes = subscribe<QueuePush>(ws('sue'), QUEUE_CHANGED, { queueId: 'support' });
    await h.server.services.live.waitForSubscribers('QUEUE_CHANGED');

    await fixture.write(QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueDoc('sales', { waiting: 7 }));
    await fixture.write(QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueDoc('support', { waiting: 1, calls: [waitingCallView('call-1', 1)] }));

    const push = await pushes.next();
    expect(push.errors).toBeUndefined();
    expect(push.data?.queueChanged).toEqual({ id: 'support', name: 'Queue support', waiting: 1, calls: [{ callId: 'call-1', position: 1, caller: { number: '+15551230000' } }] });
    const queried = await h.gql<{ queue: { id: string; waiting: number; calls: Array<{ callId: string }> } }>(QUEUE, { id: 'support' }, tokens.ann);
    expect(queried.data?.queue).toEqual({ id: 'support', waiting: 1, calls: [{ callId: 'call-1' }] });
    pushes.dispose();
  });

  it('follows a blue/green switch to the new generation of the queue read model', async () => {
    const pushes = subscribe<QueuePush>(ws('sue'), QUEUE_CHANGED, { queueId: 'support' });
    await h.server.services.live.waitForSubscribers('QUEUE_CHANGED');
    await fixture.activate(QUEUE_PROJECTION, 2);
    await fixture.write(QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueDoc('support', { waiting: 2, calls: [waitingCallView('call-1', 1), waitingCallView('call-2', 2)] }));
    // The switch may be noticed before or after the write: either way the generation-2 document arrives.
    for (;;) {
      const push = await pushes.next();
      expect(push.errors).toBeUndefined();
      if (push.data?.queueChanged.waiting === 2) break;
    }
    const queried = await h.gql<{ queue: { waiting: number } }>(QUEUE, { id: 'support' }, tokens.sue);
    expect(queried.data?.queue.waiting).toBe(2);
    pushes.dispose();
  });

  it("gives an agent only its own agentChanged and refuses another agent's", async () => {
    const own = subscribe<{ agentChanged: { id: string; state: string } }>(ws('ann'), `subscription { agentChanged { id state } }`);
    await h.server.services.live.waitForSubscribers('AGENT_CHANGED');
    await fixture.write(AGENT_IDLE_TIME_PROJECTION, AGENT_COLLECTIONS.agents, agentDoc('bob', { status: 'Available', state: 'Available' }));
    await fixture.write(AGENT_IDLE_TIME_PROJECTION, AGENT_COLLECTIONS.agents, agentDoc('ann', { status: 'Break', state: 'Break', breakReason: 'lunch' }));
    const push = await own.next();
    expect(push.data?.agentChanged).toEqual({ id: 'ann', state: 'BREAK' });
    own.dispose();

    const other = subscribe(ws('ann'), `subscription { agentChanged(agentId: "bob") { id } }`);
    const refused = await other.next();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("delivers a call's changes to the agent on it and refuses another agent", async () => {
    await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, connectedCallDoc('call-ann', 'ann'));
    const own = subscribe<{ callChanged: { id: string; transcript: Array<{ text: string }> } }>(ws('ann'), `subscription { callChanged(callId: "call-ann") { id transcript { text } } }`);
    await h.server.services.live.waitForSubscribers('CALL_CHANGED:call-ann');
    await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, connectedCallDoc('call-ann', 'ann', { transcript: [{ at: '2026-03-02T10:00:45.000Z', track: 'inbound', text: 'hello', confidence: 0.9 }] }));
    expect((await own.next()).data?.callChanged).toEqual({ id: 'call-ann', transcript: [{ text: 'hello' }] });
    own.dispose();

    const other = subscribe(ws('bob'), `subscription { callChanged(callId: "call-ann") { id } }`);
    const refused = await other.next();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("pushes the agent's desk with the screen pop when an offer rings", async () => {
    const desk = subscribe<{ myDeskChanged: { agentId: string; offer: { callId: string; caller: { number: string; name: string } } | null } }>(
      ws('bob'),
      `subscription { myDeskChanged { agentId offer { callId caller { number name } } } }`,
    );
    await h.server.services.live.waitForSubscribers('DESK_CHANGED:bob');
    await fixture.write(
      CALL_HISTORY_PROJECTION,
      CALL_HISTORY_COLLECTIONS.calls,
      callDoc('call-offered', { agentsOffered: ['bob'], caller: { name: 'Ada Lovelace', contact: null, previousCalls: 2 } }),
    );
    await fixture.write(
      AGENT_IDLE_TIME_PROJECTION,
      AGENT_COLLECTIONS.agents,
      agentDoc('bob', { status: 'Available', state: 'Ringing', offer: { offerId: 'offer-1', callId: 'call-offered', expiresAt: '2026-03-02T10:01:00.000Z' } }),
    );
    for (;;) {
      const push = await desk.next();
      expect(push.errors).toBeUndefined();
      if (push.data?.myDeskChanged.offer) {
        expect(push.data.myDeskChanged).toEqual({ agentId: 'bob', offer: { callId: 'call-offered', caller: { number: '+15551230000', name: 'Ada Lovelace' } } });
        break;
      }
    }
    desk.dispose();
  });

  it('pushes the wallboard to supervisors after queue and agent changes', async () => {
    const board = subscribe<{ wallboardChanged: { totals: { waiting: number; agentsOnCall: number } } }>(ws('sue'), `subscription { wallboardChanged { totals { waiting agentsOnCall } } }`);
    await h.server.services.live.waitForSubscribers('WALLBOARD_CHANGED');
    await fixture.write(AGENT_IDLE_TIME_PROJECTION, AGENT_COLLECTIONS.agents, agentDoc('ann', { status: 'Available', state: 'OnCall' }));
    await fixture.write(QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueDoc('sales', { waiting: 3 }));
    for (;;) {
      const push = await board.next();
      expect(push.errors).toBeUndefined();
      const totals = push.data?.wallboardChanged.totals;
      if (totals && totals.waiting === 5 && totals.agentsOnCall === 1) break;
    }
    board.dispose();

    const refused = subscribe(ws('ann'), `subscription { wallboardChanged { asOf } }`);
    expect((await refused.next()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

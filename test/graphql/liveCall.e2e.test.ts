import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../api/core/logger';
import { loadApiConfig } from '../../api/http/config';
import { createApiServer, type ApiServer } from '../../api/http/server';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { ProjectionDaemon } from '../../projections/projectionDaemon';
import { allProjections } from '../../projections/registry';
import { silent, startHarness, type Harness } from '../callflow/support/harness';
import { ADMIN, CREATE_USER, LOGIN, PASSWORD, errorCode, type GraphQLErrorBody, type GraphQLResponse, type LoginData } from './support/apiHarness';
import { subscribe } from './support/subscriptions';

jest.setTimeout(90_000);

interface Desk {
  agent: { state: string } | null;
  offer: { offerId: string; callId: string; caller: { number: string }; ivr: { selections: Array<{ digits: string }> } } | null;
  call: { id: string; held: boolean; recording: string; connections: Array<{ agentId: string; disconnectedAt: string | null }> } | null;
}

const DESK = `agent { state } offer { offerId callId caller { number } ivr { selections { digits } } } call { id held recording connections { agentId disconnectedAt } }`;

/**
 * A real call through the simulator, the reactor and the projections, driven by an agent's console
 * over GraphQL: the desk shows the offer, the agent declines it, picks it back from the queue view,
 * holds, hangs up, wraps up and downloads the recording.
 */
describe('an agent handles a real call over GraphQL', () => {
  let h: Harness;
  let api: ApiServer;
  let projections: ProjectionDaemon;
  let url: string;
  const clients: Client[] = [];
  const tokens: Record<string, string> = {};

  const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: GraphQLErrorBody[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  const ok = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> => {
    const res = await gql<T>(query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data as T;
  };

  beforeAll(async () => {
    h = await startHarness({ scale: 40 });
    await h.configureQueue('sales', { reofferDelaySeconds: 3600, announcementIntervalSeconds: 0, recordPolicy: 'always' });
    const config = loadApiConfig({ NODE_ENV: 'test', CALLSTREAM_DATA_DIR: h.dir, CALLSTREAM_ADMIN_USERNAME: ADMIN.username, CALLSTREAM_ADMIN_PASSWORD: ADMIN.password, CALLSTREAM_BCRYPT_COST: '4' });
    const telnyx = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0' }, embeddedFromSimulator(h.sim)), { logger: silent });
    api = await createApiServer({ eventStore: h.store, readModels: h.readModels, telnyx, config, logger: createLogger('api', 'silent'), callControl: h.control, configuration: h.configuration, recordings: h.recordings });
    const address = await api.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}/graphql`;
    projections = new ProjectionDaemon(h.store, h.readModels, allProjections, createLogger('projections', 'silent'));
    projections.start();

    const login = async (username: string, password = PASSWORD) => (await ok<{ login: LoginData }>(LOGIN, { username, password, deviceId: `${username}-console` }, '')).login.accessToken;
    tokens.admin = await login(ADMIN.username, ADMIN.password);
    for (const [username, roles, agentId] of [
      ['alice', ['AGENT'], 'alice'],
      ['dmitri', ['AGENT'], 'dmitri'],
      ['sue', ['SUPERVISOR'], undefined],
    ] as const) {
      await ok(CREATE_USER, { input: { username, roles, password: PASSWORD, ...(agentId ? { agentId } : {}) } }, tokens.admin);
      tokens[username] = await login(username);
    }
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await api?.close();
    await projections?.stop();
    await h?.close();
  });

  const ws = (token: string): Client => {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
    clients.push(client);
    return client;
  };

  it('offers, picks, holds, ends, wraps up and plays back the call', async () => {
    const sip = await h.agent('alice', { onRing: 'manual' }, { wrapUpSeconds: 3600 });
    await h.agent('dmitri', { onRing: 'manual' });
    const desk = subscribe<{ myDeskChanged: Desk }>(ws(tokens.alice), `subscription { myDeskChanged { ${DESK} } }`);
    await api.services.live.waitForSubscribers('DESK_CHANGED:alice');
    const nextDesk = async (what: string, check: (d: Desk) => boolean): Promise<Desk> => {
      for (;;) {
        const push = await desk.next();
        if (push.errors) throw new Error(`${what}: ${JSON.stringify(push.errors)}`);
        if (check(push.data!.myDeskChanged)) return push.data!.myDeskChanged;
      }
    };

    const caller = h.sim.world.placeCaller({ from: '+15550300777', ivr: ['1', '1'], talkMs: 3_600_000 });
    const callId = caller.callSessionId;

    // The router offers the call to alice: her desk rings with the screen pop (complete once the call view has caught up too).
    const ringing = await nextDesk('the offer', (d) => d.offer?.callId === callId && d.offer.ivr.selections.length === 2);
    expect(ringing.offer).toMatchObject({ callId, caller: { number: '+15550300777' }, ivr: { selections: [{ digits: '1' }, { digits: '1' }] } });

    // Another agent may not act on it.
    expect(errorCode(await gql(`mutation($offerId: ID!) { declineOffer(offerId: $offerId) { position } }`, { offerId: ringing.offer!.offerId }, tokens.dmitri))).toBe('FORBIDDEN');

    // She declines; the call waits in the queue view, where she picks it herself.
    const declined = await ok<{ declineOffer: { position: string; caughtUp: boolean; call: { id: string } } }>(
      `mutation($offerId: ID!) { declineOffer(offerId: $offerId) { position caughtUp call { id } } }`,
      { offerId: ringing.offer!.offerId },
      tokens.alice,
    );
    expect(declined.declineOffer).toMatchObject({ position: expect.stringMatching(/^[0-9]+$/), caughtUp: true, call: { id: callId } });
    await h.waitFor('the call waiting again', async () => {
      const { queue } = await ok<{ queue: { calls: Array<{ callId: string; state: string; waitingReason: string | null }> } }>(
        `query { queue(id: "sales") { calls { callId state waitingReason } } }`,
        {},
        tokens.alice,
      );
      return queue.calls.some((c) => c.callId === callId && c.state === 'WAITING' && c.waitingReason !== null);
    });
    const picked = await ok<{ pickCall: { position: string; caughtUp: boolean; events: string[]; agent: { state: string; offer: { callId: string } } } }>(
      `mutation($callId: ID!) { pickCall(callId: $callId) { position caughtUp events agent { state offer { callId } } } }`,
      { callId },
      tokens.alice,
    );
    expect(picked.pickCall).toMatchObject({ caughtUp: true, events: expect.arrayContaining(['AgentReserved', 'CallOffered']), agent: { offer: { callId } } });
    // Read-your-writes: the desk read right after the mutation shows the new offer.
    const { myDesk } = await ok<{ myDesk: Desk }>(`query { myDesk { ${DESK} } }`, {}, tokens.alice);
    expect(myDesk.offer?.callId).toBe(callId);

    await h.waitFor('alice ringing again', () => h.sim.world.phone(sip)?.snapshot().calls.some((c) => c.state === 'ringing'));
    h.sim.world.phone(sip)?.answer();
    // The agent and call views are two projections: the desk is pushed as each one catches up.
    const onCall = await nextDesk('the call connected', (d) => d.agent?.state === 'ON_CALL' && (d.call?.connections.length ?? 0) > 0);
    expect(onCall.call).toMatchObject({ id: callId, connections: [{ agentId: 'alice', disconnectedAt: null }] });

    // In the call: only alice (and supervisors) may act on it.
    expect(errorCode(await gql(`mutation($callId: ID!) { holdCall(callId: $callId) { position } }`, { callId }, tokens.dmitri))).toBe('FORBIDDEN');
    const held = await ok<{ holdCall: { caughtUp: boolean; events: string[] } }>(`mutation($callId: ID!) { holdCall(callId: $callId) { caughtUp events } }`, { callId }, tokens.alice);
    expect(held.holdCall.caughtUp).toBe(true);
    await nextDesk('the caller on hold', (d) => d.call?.held === true);
    await ok(`mutation($callId: ID!) { unholdCall(callId: $callId) { position } }`, { callId }, tokens.alice);
    await nextDesk('the caller back', (d) => d.call?.held === false);

    const hungUp = await ok<{ hangupCall: { caughtUp: boolean } }>(`mutation($callId: ID!) { hangupCall(callId: $callId) { caughtUp } }`, { callId }, tokens.alice);
    expect(hungUp.hangupCall.caughtUp).toBe(true);
    await nextDesk('wrap-up', (d) => d.agent?.state === 'WRAP_UP');
    const wrapped = await ok<{ completeWrapUp: { caughtUp: boolean; agent: { state: string }; call: { dispositions: Array<{ disposition: string; notes: string }> } } }>(
      `mutation($callId: ID!) { completeWrapUp(callId: $callId, disposition: "sold", notes: "renewed the plan") { caughtUp agent { state } call { dispositions { disposition notes } } } }`,
      { callId },
      tokens.alice,
    );
    expect(wrapped.completeWrapUp).toEqual({ caughtUp: true, agent: { state: 'AVAILABLE' }, call: { dispositions: [{ disposition: 'sold', notes: 'renewed the plan' }] } });
    desk.dispose();

    // Afterwards: the history, the recording and the raw events.
    const history = await ok<{ callHistory: { nodes: Array<{ id: string; outcome: string }> } }>(`query { callHistory(first: 5) { nodes { id outcome } } }`, {}, tokens.alice);
    expect(history.callHistory.nodes).toContainEqual({ id: callId, outcome: 'ANSWERED' });
    expect((await ok<{ callHistory: { nodes: unknown[] } }>(`query { callHistory(first: 5) { nodes { id } } }`, {}, tokens.dmitri)).callHistory.nodes).toEqual([]);

    const stored = await h.waitFor('the recording stored', async () => {
      const { call } = await ok<{ call: { recordings: Array<{ recordingId: string; status: string }> } }>(`query($id: ID!) { call(id: $id) { recordings { recordingId status } } }`, { id: callId }, tokens.alice);
      return call.recordings.find((r) => r.status === 'STORED');
    });
    expect(errorCode(await gql(`query($c: ID!, $r: ID!) { recordingUrl(callId: $c, recordingId: $r) { url } }`, { c: callId, r: stored.recordingId }, tokens.dmitri))).toBe('FORBIDDEN');
    const link = await ok<{ recordingUrl: { url: string } }>(`query($c: ID!, $r: ID!) { recordingUrl(callId: $c, recordingId: $r) { url } }`, { c: callId, r: stored.recordingId }, tokens.alice);
    const audio = await fetch(new URL(link.recordingUrl.url, url));
    expect(audio.status).toBe(200);
    expect((await audio.arrayBuffer()).byteLength).toBeGreaterThan(0);

    const raw = await ok<{ eventHistory: { nodes: Array<{ type: string; data: { event_type?: string } }> } }>(
      `query($s: String!) { eventHistory(filter: { streamId: $s }, first: 500) { nodes { type data } } }`,
      { s: `call-${callId}` },
      tokens.admin,
    );
    expect(raw.eventHistory.nodes.map((e) => e.type)).toEqual(expect.arrayContaining(['CallOffered', 'OfferRejected', 'CallHeld', 'CallUnheld', 'CallEnded']));

    // A call back from the history is recorded on the call; the softphone then dials the number.
    const { call: ended } = await ok<{ call: { caller: { number: string } } }>(`query($id: ID!) { call(id: $id) { caller { number } } }`, { id: callId }, tokens.alice);
    const back = await ok<{ callBack: { number: string; fromCallId: string; caughtUp: boolean } }>(
      `mutation($n: String!, $c: ID!) { callBack(number: $n, fromCallId: $c) { number fromCallId caughtUp } }`,
      { n: ended.caller.number, c: callId },
      tokens.alice,
    );
    expect(back.callBack).toEqual({ number: ended.caller.number, fromCallId: callId, caughtUp: true });
    const { call: after } = await ok<{ call: { callBacks: Array<{ agentId: string; number: string }> } }>(`query($id: ID!) { call(id: $id) { callBacks { agentId number } } }`, { id: callId }, tokens.alice);
    expect(after.callBacks).toEqual([{ agentId: 'alice', number: ended.caller.number }]);
  });
});

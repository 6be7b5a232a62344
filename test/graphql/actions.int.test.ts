import { AGENT_COLLECTIONS, AGENT_IDLE_TIME_PROJECTION } from '../../projections/agent-idle-time/agentIdleTimeProjection';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import { agentProfileInput, errorCode, startHarness, type Harness } from './support/apiHarness';
import { agentDoc, connectedCallDoc, ReadModelFixture } from './support/readModelDocs';

const profile = agentProfileInput;

const CONFIGURE_AGENT = `mutation($agent: JSON!, $expectedVersion: String) {
  configureAgentProfile(agent: $agent, expectedVersion: $expectedVersion) { position events caughtUp streamId version }
}`;

const AGENT_FIELDS = `id name status state breakReason configured`;

interface AgentResult {
  position: string | null;
  events: string[];
  caughtUp: boolean;
  agent: { id: string; name: string; status: string; state: string; breakReason: string | null; configured: boolean } | null;
}

describe('mutations append through the deciders and answer once the read models show them', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  const positions = { onBreak: '' };

  beforeAll(async () => {
    h = await startHarness({ projections: true });
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    await h.createUser({ username: 'carl', roles: ['AGENT'], agentId: 'carl' });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'ada', roles: ['ANALYST'] });
    for (const name of ['ann', 'carl', 'sue', 'ada']) tokens[name] = (await h.login(name)).accessToken;
    tokens.admin = await h.adminToken();
  });

  afterAll(async () => {
    await h.close();
  });

  it('configures agent profiles as admin, versioned by their stream revision', async () => {
    const first = await h.gql<{ configureAgentProfile: { position: string; events: string[]; caughtUp: boolean; streamId: string; version: string } }>(
      CONFIGURE_AGENT,
      { agent: profile('ann') },
      tokens.admin,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.configureAgentProfile).toEqual({ position: expect.stringMatching(/^[0-9]+$/), events: ['AgentProfileConfigured'], caughtUp: true, streamId: 'config-agent-ann', version: '0' });

    const again = await h.gql<{ configureAgentProfile: { position: string | null; events: string[] } }>(CONFIGURE_AGENT, { agent: profile('ann') }, tokens.admin);
    expect(again.data?.configureAgentProfile).toMatchObject({ position: null, events: [] });

    const renamed = await h.gql<{ configureAgentProfile: { version: string } }>(CONFIGURE_AGENT, { agent: profile('ann', { name: 'Ann' }), expectedVersion: '0' }, tokens.admin);
    expect(renamed.data?.configureAgentProfile.version).toBe('1');
  });

  it('refuses a change made against a stale version with CONFLICT, and an invalid entity with BAD_USER_INPUT', async () => {
    const stale = await h.gql(CONFIGURE_AGENT, { agent: profile('ann', { name: 'Annie' }), expectedVersion: '0' }, tokens.admin);
    expect(errorCode(stale)).toBe('CONFLICT');
    const invalid = await h.gql(CONFIGURE_AGENT, { agent: { agentId: 'ann', name: '' } }, tokens.admin);
    expect(errorCode(invalid)).toBe('BAD_USER_INPUT');
  });

  it("logs an agent in with setMyStatus and returns the agent's view including the change; a query right after shows it", async () => {
    const res = await h.gql<{ setMyStatus: AgentResult }>(`mutation { setMyStatus(status: AVAILABLE) { position events caughtUp agent { ${AGENT_FIELDS} } } }`, {}, tokens.ann);
    expect(res.errors).toBeUndefined();
    expect(res.data?.setMyStatus).toEqual({
      position: expect.stringMatching(/^[0-9]+$/),
      events: ['AgentLoggedIn'],
      caughtUp: true,
      agent: { id: 'ann', name: 'Ann', status: 'AVAILABLE', state: 'AVAILABLE', breakReason: null, configured: true },
    });
    const seen = await h.gql<{ agent: { status: string; state: string } }>(`query { agent(id: "ann") { status state } }`, {}, tokens.ann);
    expect(seen.data?.agent).toEqual({ status: 'AVAILABLE', state: 'AVAILABLE' });
    const queue = await h.gql<{ agents: Array<{ id: string; status: string }> }>(`query { agents { id status } }`, {}, tokens.sue);
    expect(queue.data?.agents).toContainEqual({ id: 'ann', status: 'AVAILABLE' });
  });

  it('takes a break with a reason', async () => {
    const res = await h.gql<{ setMyStatus: AgentResult }>(`mutation { setMyStatus(status: BREAK, reason: "lunch") { position events agent { ${AGENT_FIELDS} } } }`, {}, tokens.ann);
    expect(res.data?.setMyStatus).toMatchObject({ events: ['AgentStatusChanged'], agent: { status: 'BREAK', state: 'BREAK', breakReason: 'lunch' } });
    positions.onBreak = res.data!.setMyStatus.position!;
  });

  it('replays the agents as they were at a past position or time', async () => {
    const asOf = async (variables: Record<string, unknown>) => {
      const res = await h.gql<{ agentsAsOf: Array<{ id: string; status: string; breakReason: string | null }> }>(
        `query($at: DateTimeISO, $position: String) { agentsAsOf(at: $at, position: $position) { id status breakReason } }`,
        variables,
        tokens.ada,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.agentsAsOf;
    };
    expect(await asOf({ position: (BigInt(positions.onBreak) - 1n).toString() })).toEqual([{ id: 'ann', status: 'AVAILABLE', breakReason: null }]);
    expect(await asOf({ position: positions.onBreak })).toEqual([{ id: 'ann', status: 'BREAK', breakReason: 'lunch' }]);
    expect(await asOf({ at: new Date().toISOString() })).toEqual([{ id: 'ann', status: 'BREAK', breakReason: 'lunch' }]);
    expect(await asOf({ at: '2020-01-01T00:00:00.000Z' })).toEqual([]);
    const both = await h.gql(`query { queuesAsOf(at: "2026-01-01T00:00:00.000Z", position: "3") { id } }`, {}, tokens.sue);
    expect(errorCode(both)).toBe('BAD_USER_INPUT');
  });

  it("lets a supervisor set an agent's status and log the agent out", async () => {
    const back = await h.gql<{ setAgentStatus: AgentResult }>(`mutation { setAgentStatus(agentId: "ann", status: AVAILABLE) { caughtUp agent { status } } }`, {}, tokens.sue);
    expect(back.data?.setAgentStatus).toEqual({ caughtUp: true, agent: { status: 'AVAILABLE' } });
    const out = await h.gql<{ logoutAgent: AgentResult }>(`mutation { logoutAgent(agentId: "ann") { events agent { status state } } }`, {}, tokens.sue);
    expect(out.data?.logoutAgent).toEqual({ events: ['AgentLoggedOut'], agent: { status: 'OFFLINE', state: 'OFFLINE' } });
  });

  it('refuses to log in an agent without a profile', async () => {
    const res = await h.gql(`mutation { setMyStatus(status: AVAILABLE) { position } }`, {}, tokens.carl);
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  it('lets an agent see only itself among the agents', async () => {
    const mine = await h.gql<{ agents: Array<{ id: string }> }>(`query { agents { id } }`, {}, tokens.ann);
    expect(mine.data?.agents).toEqual([{ id: 'ann' }]);
    expect(errorCode(await h.gql(`query { agent(id: "carl") { id } }`, {}, tokens.ann))).toBe('FORBIDDEN');
    const analyst = await h.gql<{ agent: { id: string } }>(`query { agent(id: "ann") { id } }`, {}, tokens.ada);
    expect(analyst.data?.agent).toEqual({ id: 'ann' });
  });

  describe("another agent's call", () => {
    beforeAll(async () => {
      const fixture = new ReadModelFixture(h.readModels);
      await fixture.write(
        AGENT_IDLE_TIME_PROJECTION,
        AGENT_COLLECTIONS.agents,
        agentDoc('carl', {
          status: 'Available',
          state: 'OnCall',
          currentCall: { callId: 'call-carl', direction: 'inbound', offerId: null, since: '2026-03-02T10:00:40.000Z', queueId: 'support', via: 'queue', held: false, heldSince: null, holdSeconds: 0 },
        }),
      );
      await fixture.write(CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, connectedCallDoc('call-carl', 'carl'));
    });

    const actions = [
      `holdCall(callId: "call-carl") { position }`,
      `unholdCall(callId: "call-carl") { position }`,
      `hangupCall(callId: "call-carl") { position }`,
      `sendDtmf(callId: "call-carl", digits: "1") { position }`,
      `setMuted(callId: "call-carl", muted: true) { position }`,
      `transferCall(callId: "call-carl", target: { queueId: "sales" }, mode: BLIND) { position }`,
      `pauseRecording(callId: "call-carl") { position }`,
      `startTranscription(callId: "call-carl") { position }`,
      `completeWrapUp(callId: "call-carl", disposition: "sold") { position }`,
      `announce(callId: "call-carl", text: "hello") { position }`,
    ];

    it('is refused to an agent who is not on it', async () => {
      const codes = await Promise.all(actions.map(async (action) => [action.split('(')[0], errorCode(await h.gql(`mutation { ${action} }`, {}, tokens.ann))]));
      expect(codes.filter(([, code]) => code !== 'FORBIDDEN')).toEqual([]);
      expect(errorCode(await h.gql(`query { call(id: "call-carl") { id } }`, {}, tokens.ann))).toBe('FORBIDDEN');
      expect(errorCode(await h.gql(`query { callHistory(filter: { agentId: "carl" }) { nodes { id } } }`, {}, tokens.ann))).toBe('FORBIDDEN');
      expect(errorCode(await h.gql(`mutation { declineOffer(offerId: "offer-of-carl") { position } }`, {}, tokens.ann))).toBe('FORBIDDEN');
    });

    it('reaches the command API for the agent on it and for a supervisor (the call has no stream here)', async () => {
      expect(errorCode(await h.gql(`mutation { holdCall(callId: "call-carl") { position } }`, {}, tokens.carl))).toBe('NOT_FOUND');
      expect(errorCode(await h.gql(`mutation { holdCall(callId: "call-carl") { position } }`, {}, tokens.sue))).toBe('NOT_FOUND');
      const seen = await h.gql<{ call: { id: string; agentId: string } }>(`query { call(id: "call-carl") { id agentId } }`, {}, tokens.carl);
      expect(seen.data?.call).toEqual({ id: 'call-carl', agentId: 'carl' });
    });
  });

  it('checks transfer targets and DTMF digits before anything else', async () => {
    expect(errorCode(await h.gql(`mutation { transferCall(callId: "c", target: { queueId: "a", number: "+15550001111" }, mode: BLIND) { position } }`, {}, tokens.sue))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.gql(`mutation { transferCall(callId: "c", target: { number: "12" }, mode: WARM) { position } }`, {}, tokens.sue))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.gql(`mutation { sendDtmf(callId: "c", digits: "12x") { position } }`, {}, tokens.sue))).toBe('BAD_USER_INPUT');
  });
});

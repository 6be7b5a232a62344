import type { RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import { PASSWORD, errorCode, startHarness, type Harness } from './support/apiHarness';

const TOKEN = 'query($d: String) { telephonyToken(deviceId: $d) { loginToken sipUsername expiresAt } }';
const REFRESH_TOKEN = 'mutation($d: String) { refreshTelephonyToken(deviceId: $d) { loginToken sipUsername expiresAt } }';
const REGISTRATION = 'mutation($r: Boolean!) { reportSoftphoneRegistration(registered: $r) { agentId deviceId sipUsername registered } }';

interface TelephonyToken {
  loginToken: string;
  sipUsername: string;
  expiresAt: string;
}

describe('per-agent telephony credentials against the simulator', () => {
  let h: Harness;
  let aliceId: string;

  const credentialsOf = (agentId: string) => h.sim.credentials.list({ tag: 'callstream' }).filter((c) => c.name?.startsWith(`callstream-${agentId}-`));
  const eventsOf = async (agentId: string): Promise<RecordedEvent[]> => h.events.readStream(`agent-credentials-${agentId}`);
  const agentEventsOf = async (agentId: string): Promise<RecordedEvent[]> => h.events.readStream(`agent-${agentId}`);

  beforeAll(async () => {
    h = await startHarness();
    aliceId = await h.createUser({ username: 'alice', roles: ['AGENT'], agentId: 'alice' });
    await h.createUser({ username: 'bob', roles: ['AGENT'], agentId: 'bob' });
    await h.createUser({ username: 'sid', roles: ['SUPERVISOR'] });
  });

  afterAll(async () => {
    await h.close();
  });

  it("creates the device's credential at an agent's login and returns a token the simulator issued for it", async () => {
    const session = await h.login('alice', PASSWORD, 'desk-1');
    expect(session.telephonyError).toBeNull();
    const credentials = credentialsOf('alice');
    expect(credentials).toHaveLength(1);
    const [credential] = credentials;
    expect(credential).toMatchObject({ name: 'callstream-alice-desk-1', tag: 'callstream', connection_id: h.sim.options.credentialConnectionId });
    expect(session.telephony?.sipUsername).toBe(credential.sip_username);

    const claims = h.sim.credentials.verifyToken(session.telephony!.loginToken);
    expect(claims?.sub).toBe(credential.id);
    expect(new Date(session.telephony!.expiresAt).getTime()).toBe(claims!.exp * 1000);

    const [created] = await eventsOf('alice');
    expect(created.type).toBe('TelephonyCredentialCreated');
    expect(created.data).toMatchObject({ credentialId: credential.id, sipUsername: credential.sip_username, deviceId: 'desk-1', agentId: 'alice', userId: aliceId });
    expect(created.metadata).toMatchObject({ actor: aliceId });
  });

  it('reuses the credential for the same device and makes another for another device', async () => {
    const again = await h.login('alice', PASSWORD, 'desk-1');
    expect(credentialsOf('alice')).toHaveLength(1);
    expect(again.telephony?.sipUsername).toBe(credentialsOf('alice')[0].sip_username);
    const other = await h.login('alice', PASSWORD, 'laptop');
    expect(credentialsOf('alice')).toHaveLength(2);
    expect(other.telephony?.sipUsername).not.toBe(again.telephony?.sipUsername);
  });

  it('mints fresh tokens for the session device only (query and mutation)', async () => {
    const session = await h.login('alice', PASSWORD, 'desk-1');
    const query = await h.gql<{ telephonyToken: TelephonyToken }>(TOKEN, {}, session.accessToken);
    expect(query.errors).toBeUndefined();
    expect(query.data?.telephonyToken.sipUsername).toBe(session.telephony?.sipUsername);
    expect(h.sim.credentials.verifyToken(query.data!.telephonyToken.loginToken)).toBeDefined();
    const mutation = await h.gql<{ refreshTelephonyToken: TelephonyToken }>(REFRESH_TOKEN, { d: 'desk-1' }, session.accessToken);
    expect(mutation.errors).toBeUndefined();
    expect(mutation.data?.refreshTelephonyToken.loginToken).not.toBe(session.telephony?.loginToken);
    expect(h.sim.credentials.verifyToken(mutation.data!.refreshTelephonyToken.loginToken)?.sip_username).toBe(session.telephony?.sipUsername);

    expect(errorCode(await h.gql(TOKEN, { d: 'someone-elses-desk' }, session.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('replaces a credential that Telnyx no longer has when the token is refreshed', async () => {
    const session = await h.login('alice', PASSWORD, 'kiosk');
    const lost = credentialsOf('alice').find((c) => c.name === 'callstream-alice-kiosk')!;
    h.sim.credentials.delete(lost.id);
    expect(errorCode(await h.gql(TOKEN, {}, session.accessToken))).toBe('NOT_FOUND');

    const refreshed = await h.gql<{ refreshTelephonyToken: TelephonyToken }>(REFRESH_TOKEN, {}, session.accessToken);
    expect(refreshed.errors).toBeUndefined();
    const replacement = credentialsOf('alice').find((c) => c.name === 'callstream-alice-kiosk')!;
    expect(replacement.id).not.toBe(lost.id);
    expect(refreshed.data?.refreshTelephonyToken.sipUsername).toBe(replacement.sip_username);
    const types = (await eventsOf('alice')).filter((e) => (e.data as { deviceId: string }).deviceId === 'kiosk').map((e) => [e.type, (e.data as { reason?: string }).reason]);
    expect(types).toEqual([
      ['TelephonyCredentialCreated', undefined],
      ['TelephonyCredentialRevoked', 'gone_at_telnyx'],
      ['TelephonyCredentialCreated', undefined],
    ]);
  });

  it("records softphone registration on the agent's stream, once per change", async () => {
    const session = await h.login('bob', PASSWORD, 'bob-desk');
    const credentialId = credentialsOf('bob')[0].id;
    const up = await h.gql<{ reportSoftphoneRegistration: { registered: boolean; sipUsername: string } }>(REGISTRATION, { r: true }, session.accessToken);
    expect(up.data?.reportSoftphoneRegistration).toMatchObject({ registered: true, sipUsername: session.telephony?.sipUsername });
    await h.gql(REGISTRATION, { r: true }, session.accessToken);
    const changes = await agentEventsOf('bob');
    expect(changes.map((e) => [e.type, e.data])).toEqual([
      ['AgentDeviceRegistered', expect.objectContaining({ agentId: 'bob', credentialId, sipUsername: session.telephony?.sipUsername, actor: session.me.userId })],
    ]);
    expect(changes[0].metadata).toMatchObject({ actor: session.me.userId, requestId: expect.any(String) });
  });

  it('does not let another device of the agent unregister the registered one', async () => {
    const other = await h.login('bob', PASSWORD, 'bob-tablet');
    const down = await h.gql<{ reportSoftphoneRegistration: { registered: boolean } }>(REGISTRATION, { r: false }, other.accessToken);
    expect(down.data?.reportSoftphoneRegistration.registered).toBe(false);
    expect((await agentEventsOf('bob')).map((e) => e.type)).toEqual(['AgentDeviceRegistered']);
    await h.gql('mutation { logout }', {}, other.accessToken);
  });

  it('logout deletes the credential at the simulator, unregisters the device and records the revocation', async () => {
    const session = await h.login('bob', PASSWORD, 'bob-desk');
    const credentialId = credentialsOf('bob')[0].id;
    await h.gql('mutation { logout }', {}, session.accessToken);
    // bob is still logged in on bob-desk from the previous test: the shared device keeps its credential.
    expect(credentialsOf('bob').map((c) => c.id)).toEqual([credentialId]);

    const earlier = await h.login('bob', PASSWORD, 'bob-desk');
    await h.gql('mutation($id: ID!) { revokeUserSessions(userId: $id) { id } }', { id: earlier.me.userId }, await h.adminToken());
    expect(credentialsOf('bob')).toHaveLength(0);
    expect((await eventsOf('bob')).at(-1)).toMatchObject({ type: 'TelephonyCredentialRevoked', data: { credentialId, deviceId: 'bob-desk', reason: 'sessions_revoked' } });
    expect((await agentEventsOf('bob')).map((e) => [e.type, (e.data as { credentialId: string }).credentialId])).toEqual([
      ['AgentDeviceRegistered', credentialId],
      ['AgentDeviceUnregistered', credentialId],
    ]);
  });

  it('logout of the only session on a device deletes that device credential', async () => {
    const session = await h.login('bob', PASSWORD, 'bob-phone');
    expect(credentialsOf('bob')).toHaveLength(1);
    await h.gql('mutation { logout }', {}, session.accessToken);
    expect(credentialsOf('bob')).toHaveLength(0);
    expect((await eventsOf('bob')).at(-1)).toMatchObject({ type: 'TelephonyCredentialRevoked', data: { deviceId: 'bob-phone', reason: 'logout' } });
  });

  it("deactivation deletes all of the agent's credentials", async () => {
    expect(credentialsOf('alice').length).toBeGreaterThan(0);
    await h.gql('mutation($id: ID!) { deactivateUser(userId: $id) { active } }', { id: aliceId }, await h.adminToken());
    expect(credentialsOf('alice')).toHaveLength(0);
    expect((await eventsOf('alice')).at(-1)).toMatchObject({ type: 'TelephonyCredentialRevoked', data: { reason: 'deactivated' } });
  });

  it('a user without an agent gets no softphone and may not ask for one', async () => {
    const session = await h.login('sid');
    expect(session.telephony).toBeNull();
    const res = await h.gql(TOKEN, {}, session.accessToken);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors?.[0].message).toMatch(/not linked to an agent/);
  });

  it('still logs an agent in when Telnyx fails, and says why telephony is missing', async () => {
    await h.createUser({ username: 'tess', roles: ['AGENT'], agentId: 'tess' });
    h.sim.control.setFaults({ rest5xx: { rate: 1 } });
    try {
      const session = await h.login('tess', PASSWORD, 'tess-desk');
      expect(session.telephony).toBeNull();
      expect(session.telephonyError).toMatch(/Telnyx/);
    } finally {
      h.sim.control.clearFaults();
    }
    const retry = await h.login('tess', PASSWORD, 'tess-desk');
    expect(retry.telephony?.sipUsername).toBe(credentialsOf('tess')[0].sip_username);
  });
});

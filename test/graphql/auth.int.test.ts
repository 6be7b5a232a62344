import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_SECRET_FILE } from '../../api/auth/sessionSecret';
import { SessionTokens } from '../../api/auth/tokens';
import { ADMIN, LOGIN, PASSWORD, errorCode, startHarness, type Harness, type LoginData } from './support/apiHarness';

const ME = 'query { me { userId username roles agentId sessionId deviceId } }';
const REFRESH = `mutation Refresh($token: String!) {
  refreshSession(refreshToken: $token) { accessToken refreshToken me { userId sessionId } }
}`;

describe('sessions over HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { CALLSTREAM_LOGIN_MAX_FAILURES: '3' } });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'carl', roles: ['ANALYST'] });
  });

  afterAll(async () => {
    await h.close();
  });

  it('logs in with the right password and answers me with the current user', async () => {
    const session = await h.login('sue');
    expect(session.me).toMatchObject({ username: 'sue', roles: ['SUPERVISOR'], agentId: null, deviceId: 'device-1' });
    expect(session.telephony).toBeNull();
    expect(new Date(session.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());

    const me = await h.gql<{ me: LoginData['me'] }>(ME, {}, session.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual(session.me);
  });

  it('takes the username case-insensitively', async () => {
    const session = await h.login('SUE');
    expect(session.me.username).toBe('sue');
  });

  it('refuses a wrong password and an unknown user with the same message', async () => {
    const wrong = await h.gql(LOGIN, { username: 'carl', password: 'not-the-password', deviceId: 'd1' });
    const unknown = await h.gql(LOGIN, { username: 'nobody', password: 'not-the-password', deviceId: 'd1' });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0].message).toBe(unknown.errors?.[0].message);
    expect(wrong.errors?.[0].extensions).not.toHaveProperty('stacktrace');
  });

  it('rate-limits failed logins per username and address, even for the right password', async () => {
    const attempt = (password: string) => h.gql(LOGIN, { username: 'limited', password, deviceId: 'd1' });
    await h.createUser({ username: 'limited', roles: ['ANALYST'] });
    for (let i = 0; i < 3; i++) expect(errorCode(await attempt('wrong-password'))).toBe('UNAUTHENTICATED');
    const blocked = await attempt(PASSWORD);
    expect(errorCode(blocked)).toBe('TOO_MANY_REQUESTS');
    expect(blocked.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // Another username from the same address is not affected.
    expect((await h.login('carl')).me.username).toBe('carl');
  });

  it('refuses requests without a token, with a malformed header and with a forged token', async () => {
    expect(errorCode(await h.gql(ME))).toBe('UNAUTHENTICATED');
    expect(errorCode(await h.gql(ME, {}, undefined, { authorization: 'Basic abc' }))).toBe('UNAUTHENTICATED');
    const session = await h.login('carl');
    const [header, body] = session.accessToken.split('.');
    const forged = await h.gql(ME, {}, `${header}.${body}.c2lnbmF0dXJl`);
    expect(errorCode(forged)).toBe('UNAUTHENTICATED');
    expect(forged.errors?.[0].message).toMatch(/invalid access token/i);
  });

  it("refuses a token whose session id is the name of an Object property, even signed with the server's secret", async () => {
    const session = await h.login('carl');
    const secret = readFileSync(join(h.config.dataDir, SESSION_SECRET_FILE), 'utf8').trim();
    const tokens = new SessionTokens({ secret, accessTtlSeconds: 60 });
    for (const sessionId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const forged = await tokens.signAccess({ userId: session.me.userId, sessionId, roles: ['analyst'] });
      const me = await h.gql(ME, {}, forged.token);
      expect([sessionId, errorCode(me), me.errors?.[0].message]).toEqual([sessionId, 'UNAUTHENTICATED', 'The session has ended; log in again']);
    }
  });

  it('rotates the refresh token: the new pair works and the old refresh token is refused', async () => {
    const session = await h.login('carl');
    const refreshed = await h.gql<{ refreshSession: { accessToken: string; refreshToken: string; me: { sessionId: string } } }>(REFRESH, { token: session.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const next = refreshed.data!.refreshSession;
    expect(next.me.sessionId).toBe(session.me.sessionId);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(errorCode(await h.gql(ME, {}, next.accessToken))).toBeUndefined();

    const again = await h.gql(REFRESH, { token: next.refreshToken });
    expect(again.errors).toBeUndefined();

    const replay = await h.gql(REFRESH, { token: session.refreshToken });
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    expect(replay.errors?.[0].message).toMatch(/already used/);
    // Reuse of a spent refresh token ends the session, for every token it issued.
    expect(errorCode(await h.gql(ME, {}, next.accessToken))).toBe('UNAUTHENTICATED');
  });

  it('does not take an access token as a refresh token', async () => {
    const session = await h.login('carl');
    expect(errorCode(await h.gql(REFRESH, { token: session.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('logout ends the session: its access and refresh tokens are refused, other sessions go on', async () => {
    const first = await h.login('sue', PASSWORD, 'desk-a');
    const second = await h.login('sue', PASSWORD, 'desk-b');
    const out = await h.gql<{ logout: boolean }>('mutation { logout }', {}, first.accessToken);
    expect(out.data?.logout).toBe(true);
    const me = await h.gql(ME, {}, first.accessToken);
    expect(errorCode(me)).toBe('UNAUTHENTICATED');
    expect(me.errors?.[0].message).toMatch(/session has ended/);
    expect(errorCode(await h.gql(REFRESH, { token: first.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await h.gql(ME, {}, second.accessToken))).toBeUndefined();
  });

  it('deactivation refuses the user\'s tokens and logins; reactivation allows logging in again', async () => {
    const userId = await h.createUser({ username: 'dora', roles: ['ANALYST'] });
    const session = await h.login('dora');
    const admin = await h.adminToken();
    const deactivated = await h.gql<{ deactivateUser: { active: boolean } }>('mutation($id: ID!) { deactivateUser(userId: $id) { active } }', { id: userId }, admin);
    expect(deactivated.data?.deactivateUser.active).toBe(false);
    expect(errorCode(await h.gql(ME, {}, session.accessToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await h.gql(REFRESH, { token: session.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await h.gql(LOGIN, { username: 'dora', password: PASSWORD, deviceId: 'd1' }))).toBe('UNAUTHENTICATED');

    await h.gql('mutation($id: ID!) { reactivateUser(userId: $id) { active } }', { id: userId }, admin);
    expect(errorCode(await h.gql(ME, {}, session.accessToken))).toBe('UNAUTHENTICATED');
    expect((await h.login('dora')).me.username).toBe('dora');
  });

  it('role changes apply to existing sessions at once', async () => {
    const userId = await h.createUser({ username: 'eve', roles: ['ANALYST'] });
    const session = await h.login('eve');
    await h.gql('mutation($id: ID!) { setUserRoles(userId: $id, roles: [ADMIN]) { roles } }', { id: userId }, await h.adminToken());
    const users = await h.gql<{ users: Array<{ username: string }> }>('query { users { username } }', {}, session.accessToken);
    expect(users.errors).toBeUndefined();
    expect(users.data?.users.map((u) => u.username)).toEqual(expect.arrayContaining(['eve', 'sue', ADMIN.username]));
  });

  it('a password reset ends the sessions and the new password works', async () => {
    const userId = await h.createUser({ username: 'fay', roles: ['ANALYST'] });
    const session = await h.login('fay');
    const reset = await h.gql('mutation($id: ID!) { resetUserPassword(userId: $id, password: "another-password") { id } }', { id: userId }, await h.adminToken());
    expect(reset.errors).toBeUndefined();
    expect(errorCode(await h.gql(ME, {}, session.accessToken))).toBe('UNAUTHENTICATED');
    expect((await h.login('fay', 'another-password')).me.username).toBe('fay');
  });

  it('rejects a taken username (any case) with CONFLICT and bad input with BAD_USER_INPUT', async () => {
    const admin = await h.adminToken();
    const create = (input: Record<string, unknown>) =>
      h.gql('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { password: PASSWORD, roles: ['ANALYST'], ...input } }, admin);
    expect(errorCode(await create({ username: 'SUE' }))).toBe('CONFLICT');
    expect(errorCode(await create({ username: 'x' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await create({ username: 'shortpw', password: 'short' }))).toBe('BAD_USER_INPUT');
    const agentWithoutId = await create({ username: 'agentless', roles: ['AGENT'] });
    expect(errorCode(agentWithoutId)).toBe('BAD_USER_INPUT');
    expect(agentWithoutId.errors?.[0].message).toMatch(/agent id/);
  });

  it('records every change as an event with the actor and the request id', async () => {
    const admin = await h.adminToken();
    const adminId = (await h.gql<{ me: { userId: string } }>(ME, {}, admin)).data!.me.userId;
    const res = await h.gql<{ createUser: { id: string } }>(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { username: 'gus', password: PASSWORD, roles: ['ANALYST'] } },
      admin,
      { 'x-request-id': 'req-create-gus-0001' },
    );
    expect(res.headers.get('x-request-id')).toBe('req-create-gus-0001');
    const [created] = await h.events.readStream(`user-${res.data!.createUser.id}`);
    expect(created.type).toBe('UserCreated');
    expect(created.metadata).toMatchObject({ actor: adminId, requestId: 'req-create-gus-0001' });
    expect(created.data).not.toHaveProperty('password');
    expect(JSON.stringify(created.data)).not.toContain(PASSWORD);
  });

  it('answers the liveness probe', async () => {
    const res = await fetch(h.url.replace('/graphql', '/health/live'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

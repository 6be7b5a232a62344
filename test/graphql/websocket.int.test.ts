import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_SECRET_FILE } from '../../api/auth/sessionSecret';
import { SessionTokens } from '../../api/auth/tokens';
import { PASSWORD, startHarness, type Harness } from './support/apiHarness';

interface Closed {
  code: number;
  reason: string;
}

const SESSION_EVENTS = 'subscription { sessionEvents { type userId sessionId endsThisSession position } }';

/** Resolves with the close code of a client that tries one operation. */
const closeOf = (h: Harness, connectionParams: Record<string, unknown>): Promise<Closed> =>
  new Promise<Closed>((resolve) => {
    const client = h.wsClient(connectionParams, (code, reason) => resolve({ code, reason }));
    client.subscribe({ query: '{ me { userId } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('graphql-ws', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    await h.createUser({ username: 'wendy', roles: ['ANALYST'] });
  });

  afterAll(async () => {
    await h.close();
  });

  it('closes a connection without a token with 4401', async () => {
    const closed = await closeOf(h, {});
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/authorization is missing/);
  });

  it('closes a connection with an invalid or expired token with 4401', async () => {
    expect((await closeOf(h, { authorization: 'Bearer not-a-jwt' })).code).toBe(4401);
    const session = await h.login('wendy');
    const secret = readFileSync(join(h.config.dataDir, SESSION_SECRET_FILE), 'utf8').trim();
    const past = new SessionTokens({ secret, accessTtlSeconds: 60, clock: () => new Date(Date.now() - 3600_000) });
    const expired = await past.signAccess({ userId: session.me.userId, sessionId: session.me.sessionId, roles: ['analyst'] });
    const closed = await closeOf(h, { authorization: `Bearer ${expired.token}` });
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/);
  });

  it('runs operations as the user of the connection_init token (with or without the Bearer prefix)', async () => {
    const session = await h.login('wendy');
    for (const authorization of [`Bearer ${session.accessToken}`, session.accessToken]) {
      const client = h.wsClient({ authorization });
      const results: unknown[] = [];
      for await (const result of client.iterate({ query: '{ me { username sessionId } }' })) results.push(result);
      expect(results).toEqual([{ data: { me: { username: 'wendy', sessionId: session.me.sessionId } } }]);
    }
  });

  it('delivers sessionEvents to the subscriber; after a revocation the socket is closed with 4403', async () => {
    const session = await h.login('wendy', PASSWORD, 'ws-desk');
    let closed: Closed | undefined;
    const client = h.wsClient({ authorization: `Bearer ${session.accessToken}` }, (code, reason) => (closed = { code, reason }));
    const events = client.iterate<{ sessionEvents: { type: string; userId: string; sessionId: string | null; endsThisSession: boolean } }>({ query: SESSION_EVENTS });

    // Logins of the same user are pushed too: log in elsewhere until the subscription is live.
    const first = events.next();
    let live = false;
    for (let i = 0; i < 100 && !live; i++) {
      await h.login('wendy', PASSWORD, `probe-${i}`);
      live = await Promise.race([first.then(() => true), pause(50).then(() => false)]);
    }
    expect(live).toBe(true);
    expect((await first).value?.data?.sessionEvents).toMatchObject({ type: 'UserLoggedIn', userId: session.me.userId, endsThisSession: false });

    const revoke = await h.gql('mutation($id: ID!) { revokeUserSessions(userId: $id) { activeSessions } }', { id: session.me.userId }, await h.adminToken());
    expect(revoke.errors).toBeUndefined();
    let revoked: { type: string; endsThisSession: boolean } | undefined;
    while (!revoked) {
      const next = await events.next();
      if (next.done) break;
      if (next.value.data?.sessionEvents.type === 'SessionsRevoked') revoked = next.value.data.sessionEvents;
    }
    expect(revoked).toEqual(expect.objectContaining({ type: 'SessionsRevoked', endsThisSession: true }));

    // The next operation on this connection finds the session ended.
    const after: unknown[] = [];
    try {
      for await (const result of client.iterate({ query: '{ me { userId } }' })) after.push(result);
    } catch (error) {
      after.push(error);
    }
    expect(after).toHaveLength(1);
    await new Promise<void>((resolve) => {
      const check = (): void => (closed ? resolve() : void setTimeout(check, 10));
      check();
    });
    expect(closed?.code).toBe(4403);
    expect(closed?.reason).toMatch(/session has ended/);
  });

  it('closes a connection whose authorization is not a string with 4401', async () => {
    const client = createClient({ url: h.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: 42 }, retryAttempts: 0 });
    const outcome = await new Promise<string>((resolve) => {
      client.on('closed', (event) => resolve(String((event as { code: number }).code)));
      client.subscribe({ query: SESSION_EVENTS }, { next: () => resolve('next'), error: () => undefined, complete: () => resolve('complete') });
    });
    await client.dispose();
    expect(outcome).toBe('4401');
  });
});

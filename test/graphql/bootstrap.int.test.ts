import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_SECRET_FILE } from '../../api/auth/sessionSecret';
import { createLogger } from '../../api/core/logger';
import { DEMO_DEFAULT_PASSWORD } from '../../api/http/config';
import { createApiServer, type ApiServer } from '../../api/http/server';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { createTelnyx, errorCode, startHarness, type Harness } from './support/apiHarness';

const ME = 'query { me { username roles agentId } }';

describe('start-up in embedded demo mode, and a second API node', () => {
  let h: Harness;
  let second: ApiServer;
  let secondUrl: string;
  let secondReadModels: SqliteReadModelStore;

  const gqlAt = async (url: string, query: string, token: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    return (await res.json()) as { data?: { me?: { username: string } }; errors?: Array<{ extensions?: { code?: string } }> };
  };

  beforeAll(async () => {
    h = await startHarness({ env: { CALLSTREAM_SEED_DEMO: 'true' } });
    secondReadModels = new SqliteReadModelStore({ dataDir: h.config.dataDir, fileName: 'second.db' });
    second = await createApiServer({
      eventStore: h.events,
      readModels: secondReadModels,
      telnyx: createTelnyx(h.sim),
      config: h.config,
      logger: createLogger('second', 'silent'),
    });
    secondUrl = `http://127.0.0.1:${(await second.listen(0, '127.0.0.1')).port}/graphql`;
  });

  afterAll(async () => {
    await second.close();
    await secondReadModels.close();
    await h.close();
  });

  it('seeds the demo users with the documented password', async () => {
    const cases: Array<[string, string[], string | null]> = [
      ['alice', ['AGENT'], 'alice'],
      ['bob', ['AGENT'], 'bob'],
      ['sam', ['SUPERVISOR'], 'sam'],
      ['ana', ['ANALYST'], null],
      ['admin', ['ADMIN'], null],
    ];
    for (const [username, roles, agentId] of cases) {
      const session = await h.login(username, DEMO_DEFAULT_PASSWORD);
      expect(session.me).toMatchObject({ username, roles, agentId });
      expect(session.telephony === null).toBe(agentId === null);
    }
  });

  it('keeps the generated signing secret in the data directory, readable by its owner only', () => {
    expect(statSync(join(h.config.dataDir, SESSION_SECRET_FILE)).mode & 0o777).toBe(0o600);
  });

  it('a session started on one node works on another, and a logout on one is refused on the other', async () => {
    const session = await h.login('ana', DEMO_DEFAULT_PASSWORD);
    expect((await gqlAt(secondUrl, ME, session.accessToken)).data?.me?.username).toBe('ana');
    await h.gql('mutation { logout }', {}, session.accessToken);
    let code: string | undefined;
    // The second node learns of the logout through its event-store subscription.
    for (let i = 0; i < 200 && code !== 'UNAUTHENTICATED'; i++) {
      code = (await gqlAt(secondUrl, ME, session.accessToken)).errors?.[0]?.extensions?.code;
      if (code !== 'UNAUTHENTICATED') await new Promise((r) => setTimeout(r, 10));
    }
    expect(code).toBe('UNAUTHENTICATED');
    expect(errorCode(await h.gql(ME, {}, session.accessToken))).toBe('UNAUTHENTICATED');
  });
});

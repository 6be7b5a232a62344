import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../api/cli/users';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { createPasswordHasher } from '../../api/users/passwords';
import { UserService } from '../../api/users/userService';

describe('users CLI', () => {
  let dir: string;
  let store: SqliteEventStore;
  let users: UserService;
  const lines: string[] = [];
  const run = (...argv: string[]) => main(argv, { eventStore: store, out: (l) => lines.push(l), stdin: async () => 'from-stdin-secret' });

  beforeAll(() => {
    process.env.CALLSTREAM_BCRYPT_COST = '4';
    dir = mkdtempSync(join(tmpdir(), 'callstream-users-cli-'));
    store = new SqliteEventStore({ dataDir: dir });
    users = new UserService({ eventStore: store, passwords: createPasswordHasher(4) });
  });

  afterAll(async () => {
    delete process.env.CALLSTREAM_BCRYPT_COST;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an admin and a user, sets a password from stdin and lists them', async () => {
    const passwords = createPasswordHasher(4);
    expect(await run('create-admin', '--username', 'boss', '--password', 'boss-password')).toBe(0);
    expect(await run('create-user', '--username', 'alice', '--role', 'agent', '--agent-id', 'alice', '--password', 'alice-password')).toBe(0);
    expect((await users.findByUsername('boss'))?.roles).toEqual(['admin']);
    expect((await users.findByUsername('alice'))).toMatchObject({ roles: ['agent'], agentId: 'alice' });

    expect(await run('set-password', '--username', 'alice', '--password-stdin')).toBe(0);
    const alice = await users.findByUsername('alice');
    expect(await passwords.verify('from-stdin-secret', alice!.passwordHash)).toBe(true);
    const [created] = await store.readStream(`user-${alice!.userId}`);
    expect(created.metadata.actor).toBe('cli');

    lines.length = 0;
    expect(await run('list')).toBe(0);
    expect(lines.map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['boss', 'active', 'admin'],
      ['alice', 'active', 'agent'],
    ]);
  });

  it('fails with a message on a taken name, an unknown role or a missing password', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run('create-admin', '--username', 'BOSS', '--password', 'boss-password')).toBe(1);
      expect(await run('create-user', '--username', 'x2', '--role', 'wizard', '--password', 'whatever-1')).toBe(1);
      expect(await run('create-user', '--username', 'x3', '--role', 'analyst')).toBe(1);
      expect(await run('frobnicate')).toBe(2);
      expect(errors.mock.calls.map((c) => String(c[0])).slice(0, 3)).toEqual([
        "The username 'BOSS' is taken",
        'unknown role(s) wizard; roles are agent, supervisor, analyst, admin',
        'give --password or --password-stdin',
      ]);
    } finally {
      errors.mockRestore();
    }
    expect(await users.findByUsername('x3')).toBeUndefined();
  });
});

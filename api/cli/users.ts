import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createEventStore } from '../infrastructure/eventStore';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import { createPasswordHasher } from '../users/passwords';
import { ROLES, type Role } from '../users/user';
import { UserService } from '../users/userService';

const usage = `Usage (the event store comes from EVENTSTORE_URL or CALLSTREAM_DATA_DIR, as for the API):
  npm run users -- create-admin --username NAME [--display-name TEXT] (--password P | --password-stdin)
  npm run users -- create-user  --username NAME --role ROLE [--role ROLE]... [--agent-id ID] [--display-name TEXT] (--password P | --password-stdin)
  npm run users -- set-password --username NAME (--password P | --password-stdin)    (ends the user's sessions)
  npm run users -- list
Roles: ${ROLES.join(', ')}. --password-stdin reads the password from the first line of standard input
(a password given with --password is visible in the process list).`;

const CLI = { actor: 'cli', requestId: `cli-${process.pid}-${Date.now()}` };

const readStdinLine = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
};

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

const parseUsersArgs = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      'display-name': { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      role: { type: 'string', multiple: true },
      'agent-id': { type: 'string' },
    },
  });

export interface UsersCliDeps {
  eventStore?: EventStore;
  stdin?: () => Promise<string>;
  out?: (line: string) => void;
}

export const main = async (argv = process.argv.slice(2), deps: UsersCliDeps = {}): Promise<number> => {
  const out = deps.out ?? ((line: string) => console.log(line));
  let parsed: ReturnType<typeof parseUsersArgs>;
  try {
    parsed = parseUsersArgs(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(usage);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (!['create-admin', 'create-user', 'set-password', 'list'].includes(command ?? '')) {
    console.error(usage);
    return 2;
  }

  const store = deps.eventStore ?? createEventStore();
  try {
    const cost = Number(process.env.CALLSTREAM_BCRYPT_COST ?? 10);
    const users = new UserService({ eventStore: store, passwords: createPasswordHasher(Number.isInteger(cost) && cost >= 4 && cost <= 15 ? cost : 10) });
    const password = async (): Promise<string> => {
      if (values['password-stdin']) return (deps.stdin ?? readStdinLine)();
      if (values.password !== undefined) return values.password;
      throw new Error('give --password or --password-stdin');
    };
    const username = (): string => {
      if (!values.username) throw new Error('give --username');
      return values.username;
    };

    switch (command) {
      case 'create-admin':
      case 'create-user': {
        const roles = command === 'create-admin' ? ['admin'] : (values.role ?? []);
        const unknown = roles.filter((r) => !isRole(r));
        if (unknown.length > 0) throw new Error(`unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
        const profile = await users.create(
          { username: username(), displayName: values['display-name'], password: await password(), roles: roles.filter(isRole), agentId: values['agent-id'] },
          CLI,
        );
        out(`created ${profile.username} (${profile.userId}) with roles ${profile.roles.join(', ')}${profile.agentId ? `, agent ${profile.agentId}` : ''}`);
        return 0;
      }
      case 'set-password': {
        const user = await users.findByUsername(username());
        if (!user) throw new Error(`no user named ${values.username}`);
        await users.setPassword(user.userId, await password(), true, CLI);
        out(`set the password of ${user.username}; their sessions have ended`);
        return 0;
      }
      default: {
        const userIds: string[] = [];
        const filter = { streamPrefixes: ['user-'], eventTypePrefixes: ['UserCreated'] };
        for (let from: bigint | 'start' = 'start'; ; ) {
          const page = await store.readAll({ fromPosition: from, filter, maxCount: 500 });
          userIds.push(...page.map((e) => e.streamId.slice('user-'.length)));
          if (page.length < 500) break;
          from = page[page.length - 1].position;
        }
        for (const userId of userIds) {
          const state = await users.load(userId);
          if (state.status !== 'none') out(`${state.username}\t${state.status}\t${state.roles.join(',')}\t${state.agentId ?? ''}\t${state.userId}`);
        }
        return 0;
      }
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    if (!deps.eventStore) await store.close();
  }
};

if (require.main === module) {
  void main().then((code) => process.exit(code));
}

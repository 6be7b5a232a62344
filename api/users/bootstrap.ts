import { IllegalStateError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Role } from './user';
import type { UserService } from './userService';

const SYSTEM = { actor: 'system', requestId: 'bootstrap' };

/** Creates the user unless the username exists already (an existing user is never changed here). Returns whether it was created. */
const createIfMissing = async (users: UserService, user: { username: string; displayName: string; password: string; roles: Role[]; agentId?: string }): Promise<boolean> => {
  if (await users.findByUsername(user.username)) return false;
  try {
    await users.create(user, SYSTEM);
    return true;
  } catch (error) {
    // Another API node created it at the same moment.
    if (error instanceof IllegalStateError && (await users.findByUsername(user.username))) return false;
    throw error;
  }
};

/** The first admin, from CALLSTREAM_ADMIN_USERNAME / CALLSTREAM_ADMIN_PASSWORD. */
export const ensureAdmin = async (users: UserService, admin: { username: string; password: string }, logger: Logger): Promise<void> => {
  const created = await createIfMissing(users, { username: admin.username, displayName: 'Administrator', password: admin.password, roles: ['admin'] });
  logger.info({ username: admin.username, created }, created ? 'created the admin user from the environment' : 'the admin user from the environment exists');
};

/** Agent ids match the demo agent profiles in api/config/defaultConfiguration.ts. */
export const DEMO_USERS: ReadonlyArray<{ username: string; displayName: string; roles: Role[]; agentId?: string }> = [
  { username: 'alice', displayName: 'Alice Moreau', roles: ['agent'], agentId: 'alice' },
  { username: 'bob', displayName: 'Bob Okafor', roles: ['agent'], agentId: 'bob' },
  { username: 'sam', displayName: 'Sam Lee', roles: ['supervisor'], agentId: 'sam' },
  { username: 'ana', displayName: 'Ana Lindqvist', roles: ['analyst'] },
  { username: 'admin', displayName: 'Administrator', roles: ['admin'] },
];

/** Embedded demo only: the demo users, all with `password`, which is logged so the demo can be tried at once. */
export const seedDemoUsers = async (users: UserService, password: string, logger: Logger): Promise<void> => {
  for (const user of DEMO_USERS) await createIfMissing(users, { ...user, password });
  logger.info(
    { users: DEMO_USERS.map((u) => ({ username: u.username, roles: u.roles, agentId: u.agentId })), password },
    'demo users (embedded demo mode; set CALLSTREAM_DEMO_PASSWORD to change the password of newly seeded users)',
  );
};

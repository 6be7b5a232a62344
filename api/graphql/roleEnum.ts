import { registerEnumType } from 'type-graphql';
import type { Role } from '../users/user';

/** GraphQL names are upper case; the values inside the API are the lower-case role names. */
export const RoleEnum = {
  AGENT: 'agent',
  SUPERVISOR: 'supervisor',
  ANALYST: 'analyst',
  ADMIN: 'admin',
} as const satisfies Record<string, Role>;

registerEnumType(RoleEnum, { name: 'Role', description: 'What a user may do: agents take calls, supervisors run the floor, analysts read, admins configure.' });

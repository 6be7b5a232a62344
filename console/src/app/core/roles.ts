import type { Role } from '../graphql/types';

export interface NavItem {
  path: string;
  label: string;
  roles: readonly Role[];
  /** Single-key shortcut after `g` is not used; the number keys 1-9 jump to the nav items in order. */
  hint: string;
}

/** Every page and who may open it (the API enforces the same rules; this only hides what would be refused). */
export const NAV: readonly NavItem[] = [
  { path: '/desk', label: 'Desk', roles: ['AGENT'], hint: 'Your calls, queue and status' },
  { path: '/floor', label: 'Floor', roles: ['SUPERVISOR', 'ADMIN'], hint: 'Wallboard, agents and live calls' },
  { path: '/callbacks', label: 'Callbacks', roles: ['SUPERVISOR', 'ADMIN'], hint: 'Callers waiting to be called back' },
  { path: '/voicemails', label: 'Voicemail', roles: ['SUPERVISOR', 'ADMIN'], hint: 'Messages with playback' },
  { path: '/history', label: 'Calls', roles: ['SUPERVISOR', 'ADMIN', 'ANALYST'], hint: 'Call history, recordings and timelines' },
  { path: '/reports', label: 'Reports', roles: ['SUPERVISOR', 'ADMIN', 'ANALYST'], hint: 'Interval reports by queue or agent' },
  { path: '/events', label: 'Events', roles: ['ANALYST', 'ADMIN'], hint: 'The raw event history' },
  { path: '/as-of', label: 'As of', roles: ['ANALYST', 'SUPERVISOR', 'ADMIN'], hint: 'Queues and agents at a past time' },
];

export const allowed = (item: Pick<NavItem, 'roles'>, roles: readonly Role[]): boolean => item.roles.some((r) => roles.includes(r));

/** Where a user lands after signing in: the first page their roles open. */
export const homePath = (roles: readonly Role[]): string => NAV.find((n) => allowed(n, roles))?.path ?? '/login';

import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import type { Role } from '../graphql/types';
import { homePath } from './roles';
import { SessionStore } from './session-store';

/** Signed in, and holding one of `roles` (any role when empty); otherwise to the login page or home. */
export const requireRoles =
  (...roles: Role[]): CanActivateFn =>
  (_route, state) => {
    const store = inject(SessionStore);
    const router = inject(Router);
    if (!store.signedIn()) return router.createUrlTree(['/login'], { queryParams: { next: state.url } });
    if (roles.length === 0 || store.hasRole(...roles)) return true;
    return router.parseUrl(homePath(store.roles()));
  };

export const landing: CanActivateFn = () => {
  const store = inject(SessionStore);
  return inject(Router).parseUrl(store.signedIn() ? homePath(store.roles()) : '/login');
};

import { Injectable, effect, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { LOGIN, LOGOUT, REFRESH_SESSION, REFRESH_TELEPHONY_TOKEN, SESSION_EVENTS } from '../graphql/documents';
import type { TelephonyToken } from '../graphql/types';
import { RawApi } from './api.service';
import { ApiError } from './api-error';
import { ConnectionService } from './connection.service';
import { browserDeviceId } from './device-id';
import { refreshDelay, retryDelay, SESSION_REFRESH } from './schedule';
import { SessionStore, type Session } from './session-store';
import type { Subscription } from 'rxjs';

/** Refresh when the access token has less than this left, before sending it. */
const EXPIRING_MS = 10_000;

/**
 * Signing in and out, keeping the session alive (the access token is renewed before it expires;
 * a refused renewal or a server-side revocation sends the user back to the login page).
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly api = inject(RawApi);
  private readonly store = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly connection = inject(ConnectionService);
  readonly deviceId = browserDeviceId();

  private refreshing: Promise<Session | null> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshAttempts = 0;
  private sessionEvents: Subscription | null = null;
  private readonly logoutHooks: Array<() => Promise<void>> = [];
  private signingOut = false;
  /** Why the last session ended, for the login page. */
  readonly endedBecause = signal<string | null>(null);

  constructor() {
    this.store.accessTokenProvider = () => this.validAccessToken();
    effect(() => {
      const session = this.store.session();
      this.schedule(session);
      this.watchSessionEvents(session !== null);
    });
  }

  async login(username: string, password: string): Promise<Session> {
    const { login } = await this.api.mutate(LOGIN, { username, password, deviceId: this.deviceId });
    const session: Session = { ...login, telephony: login.telephony, telephonyError: login.telephonyError };
    this.endedBecause.set(null);
    this.store.set(session);
    this.connection.restart();
    return session;
  }

  /** Renews the tokens now (concurrent callers share one renewal); null when the session is over. */
  refresh(): Promise<Session | null> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<Session | null> {
    const current = this.store.session();
    if (!current) return null;
    try {
      const { refreshSession } = await this.api.mutate(REFRESH_SESSION, { refreshToken: current.refreshToken });
      // A refresh spends the token: keep whatever another code path stored meanwhile (telephony) and replace the rest.
      const latest = this.store.session() ?? current;
      const next: Session = { ...latest, ...refreshSession };
      this.store.set(next);
      this.refreshAttempts = 0;
      return next;
    } catch (error) {
      const code = error instanceof ApiError ? error.code : null;
      if (code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT' || code === 'FORBIDDEN') {
        this.expire('Your session has ended. Please sign in again.');
        return null;
      }
      // The server is unreachable: keep the session and try again soon (the token may still be valid).
      this.refreshAttempts += 1;
      throw error;
    }
  }

  /** The access token, renewed first when it is about to expire; null when signed out. */
  async validAccessToken(): Promise<string | null> {
    const session = this.store.session();
    if (!session) return null;
    if (Date.parse(session.accessTokenExpiresAt) - Date.now() > EXPIRING_MS) return session.accessToken;
    try {
      return (await this.refresh())?.accessToken ?? null;
    } catch {
      return session.accessToken;
    }
  }

  setTelephony(telephony: TelephonyToken): void {
    this.store.update((s) => ({ ...s, telephony, telephonyError: null }));
  }

  async refreshTelephony(): Promise<TelephonyToken> {
    const { refreshTelephonyToken } = await this.api.mutate(REFRESH_TELEPHONY_TOKEN, { deviceId: this.deviceId });
    this.setTelephony(refreshTelephonyToken);
    return refreshTelephonyToken;
  }

  /** Runs before sign-out while the session is still valid (the softphone reports it is going away). */
  beforeLogout(hook: () => Promise<void>): void {
    this.logoutHooks.push(hook);
  }

  /** Signs out on the server (which also deletes this device's telephony credential), then locally. */
  async logout(): Promise<void> {
    this.signingOut = true;
    this.endedBecause.set(null);
    if (this.store.session()) {
      await Promise.race([Promise.allSettled(this.logoutHooks.map((hook) => hook())), new Promise((resolve) => setTimeout(resolve, 3_000))]);
      try {
        await this.api.mutate(LOGOUT);
      } catch {
        // Signed out locally whatever the server says: the tokens are dropped either way.
      }
    }
    this.clear();
    this.signingOut = false;
    await this.router.navigateByUrl('/login');
  }

  /** The session is over (refused renewal, revocation): back to the login page with the reason. */
  expire(reason: string): void {
    // The server announces our own sign-out as the end of this session: that needs no explanation.
    if (!this.store.session() || this.signingOut) return;
    this.endedBecause.set(reason);
    this.clear();
    void this.router.navigateByUrl('/login');
  }

  private clear(): void {
    this.store.set(null);
    this.connection.reset();
  }

  private schedule(session: Session | null): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    if (!session) return;
    const expiresAt = Date.parse(session.accessTokenExpiresAt);
    const delay = this.refreshAttempts > 0 ? retryDelay(this.refreshAttempts, expiresAt, Date.now()) : refreshDelay(expiresAt, Date.now(), SESSION_REFRESH);
    this.refreshTimer = setTimeout(() => {
      this.refresh().catch(() => this.schedule(this.store.session()));
    }, delay);
  }

  private watchSessionEvents(signedIn: boolean): void {
    if (!signedIn) {
      this.sessionEvents?.unsubscribe();
      this.sessionEvents = null;
      return;
    }
    if (this.sessionEvents) return;
    this.sessionEvents = this.api.subscribe(SESSION_EVENTS).subscribe({
      next: ({ sessionEvents }) => {
        if (sessionEvents.endsThisSession) this.expire(this.describeEnd(sessionEvents.type));
      },
      error: (error: unknown) => {
        this.sessionEvents = null;
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
          // The socket refused the token: renew it, then listen again (a revoked session cannot renew).
          this.refresh()
            .then((s) => s && this.watchSessionEvents(true))
            .catch(() => setTimeout(() => this.watchSessionEvents(this.store.signedIn()), 5_000));
        } else {
          setTimeout(() => this.watchSessionEvents(this.store.signedIn()), 5_000);
        }
      },
    });
  }

  private describeEnd(type: string): string {
    switch (type) {
      case 'SessionsRevoked':
        return 'An administrator ended your sessions. Please sign in again.';
      case 'UserDeactivated':
        return 'Your account has been deactivated.';
      case 'UserPasswordChanged':
        return 'Your password was changed. Please sign in with the new one.';
      case 'UserRolesChanged':
        return 'Your roles have changed. Please sign in again.';
      case 'UserLoggedOut':
        return 'You signed out from this device.';
      default:
        return 'Your session has ended. Please sign in again.';
    }
  }
}

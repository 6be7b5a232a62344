import { Injectable, computed, signal } from '@angular/core';
import type { Me, Role, SessionTokens, TelephonyToken } from '../graphql/types';

export interface Session extends SessionTokens {
  telephony: TelephonyToken | null;
  telephonyError: string | null;
}

const KEY = 'callstream.session';

/**
 * The signed-in session, kept per browser tab (sessionStorage): a reload keeps it, another tab
 * signs in on its own, so two tabs never spend the same single-use refresh token.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly state = signal<Session | null>(SessionStore.restore());
  readonly session = this.state.asReadonly();
  readonly me = computed<Me | null>(() => this.state()?.me ?? null);
  readonly roles = computed<readonly Role[]>(() => this.state()?.me.roles ?? []);
  readonly signedIn = computed(() => this.state() !== null);
  readonly telephony = computed(() => this.state()?.telephony ?? null);

  /** Set by SessionService: a valid access token, renewed first when it is about to expire. */
  accessTokenProvider: () => Promise<string | null> = async () => this.state()?.accessToken ?? null;

  hasRole(...roles: Role[]): boolean {
    const mine = this.roles();
    return roles.some((r) => mine.includes(r));
  }

  set(session: Session | null): void {
    this.state.set(session);
    try {
      if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
      else sessionStorage.removeItem(KEY);
    } catch {
      // Private mode without storage: the session lives in memory only.
    }
  }

  update(change: (s: Session) => Session): void {
    const current = this.state();
    if (current) this.set(change(current));
  }

  private static restore(): Session | null {
    try {
      const raw = sessionStorage.getItem(KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Session;
      if (!parsed?.refreshToken || Date.parse(parsed.refreshTokenExpiresAt) <= Date.now()) return null;
      return parsed;
    } catch {
      return null;
    }
  }
}

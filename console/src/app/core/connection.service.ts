import { Injectable, computed, inject, signal } from '@angular/core';
import { createClient, type Client } from 'graphql-ws';
import { RuntimeConfigService } from './runtime-config';
import { SessionStore } from './session-store';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

interface ClosedLike {
  code: number;
  reason: string;
}
const isClose = (value: unknown): value is ClosedLike => typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;

/**
 * The graphql-ws connection that carries every live view, with its state for the header badge.
 * It reconnects forever with backoff; each reconnect bumps `reconnects` so live views re-read
 * what they may have missed while the socket was down.
 */
@Injectable({ providedIn: 'root' })
export class ConnectionService {
  private readonly store = inject(SessionStore);
  private readonly runtime = inject(RuntimeConfigService);

  private readonly linkState = signal<LinkState>('idle');
  private readonly everConnected = signal(false);
  private readonly reconnectCount = signal(0);
  private readonly browserOnline = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
  private readonly lastCloseReason = signal<string | null>(null);
  private readonly retryAt = signal<number | null>(null);
  private activeSocket: WebSocket | null = null;

  readonly state = computed<LinkState>(() => (this.browserOnline() ? this.linkState() : 'offline'));
  /** Increases on every successful reconnection (not the first connection). */
  readonly reconnects = this.reconnectCount.asReadonly();
  readonly closeReason = this.lastCloseReason.asReadonly();
  readonly nextRetryAt = this.retryAt.asReadonly();

  readonly client: Client = createClient({
    url: () => this.runtime.wsUrl(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // 4403: the server ended this session; retrying cannot help (the console signs out instead).
    shouldRetry: (e) => isClose(e) && e.code !== 4403,
    retryWait: async (retries) => {
      const wait = Math.min(10_000, 500 * 2 ** retries) * (0.75 + Math.random() * 0.5);
      this.retryAt.set(Date.now() + wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
      this.retryAt.set(null);
    },
    connectionParams: async () => {
      const token = await this.store.accessTokenProvider();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => this.linkState.set(this.everConnected() ? 'reconnecting' : 'connecting'),
      opened: (socket) => {
        this.activeSocket = socket as WebSocket;
      },
      connected: () => {
        if (this.everConnected()) this.reconnectCount.update((n) => n + 1);
        this.everConnected.set(true);
        this.linkState.set('connected');
        this.lastCloseReason.set(null);
      },
      closed: (event) => {
        this.activeSocket = null;
        if (isClose(event) && event.code !== 1000) {
          this.lastCloseReason.set(event.reason || `closed (${event.code})`);
          this.linkState.set('reconnecting');
        } else {
          this.linkState.set('idle');
        }
      },
      error: () => this.linkState.set(this.everConnected() ? 'reconnecting' : 'connecting'),
    },
  });

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => this.browserOnline.set(true));
      window.addEventListener('offline', () => this.browserOnline.set(false));
    }
  }

  /** Reconnects at once with fresh connection params (after sign-in or a token refresh the server refused). */
  restart(): void {
    if (this.activeSocket && this.activeSocket.readyState === WebSocket.OPEN) this.activeSocket.close(4205, 'Client Restart');
  }

  /** Forgets the previous session's connection (sign-out). */
  reset(): void {
    this.restart();
    this.everConnected.set(false);
    this.linkState.set('idle');
  }
}

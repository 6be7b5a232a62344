import { Injectable, signal } from '@angular/core';

/** What the server tells the console at start (GET /console-config.json, served with the console). */
export interface RuntimeConfig {
  /** The WebRTC signalling host for @telnyx/webrtc; absent → Telnyx's own (wss://rtc.telnyx.com). */
  rtcHost: string | null;
  /** GraphQL endpoint path on this origin. */
  graphqlPath: string;
  /** The server's clock when it runs a simulated world: its now, and how many times faster than real time it runs. */
  clock: { now: string; scale: number; receivedAt: number } | null;
}

const DEFAULTS: RuntimeConfig = { rtcHost: null, graphqlPath: '/graphql', clock: null };

@Injectable({ providedIn: 'root' })
export class RuntimeConfigService {
  private readonly value = signal<RuntimeConfig>(DEFAULTS);
  readonly config = this.value.asReadonly();

  async load(): Promise<void> {
    try {
      const res = await fetch('/console-config.json', { cache: 'no-store' });
      if (!res.ok) return;
      const body: unknown = await res.json();
      if (typeof body !== 'object' || body === null) return;
      const raw = body as Record<string, unknown>;
      const clock = raw['clock'] as { now?: unknown; scale?: unknown } | null | undefined;
      this.value.set({
        clock: clock && typeof clock.now === 'string' && typeof clock.scale === 'number' ? { now: clock.now, scale: clock.scale, receivedAt: Date.now() } : null,
        rtcHost: typeof raw['rtcHost'] === 'string' && raw['rtcHost'] ? raw['rtcHost'] : null,
        graphqlPath: typeof raw['graphqlPath'] === 'string' && raw['graphqlPath'] ? raw['graphqlPath'] : DEFAULTS.graphqlPath,
      });
    } catch {
      // Served without the API (ng serve without the proxy): the defaults still work with a proxy.
    }
  }

  /** The graphql-ws URL on this origin. */
  wsUrl(): string {
    const { protocol, host } = window.location;
    return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${this.value().graphqlPath}`;
  }
}

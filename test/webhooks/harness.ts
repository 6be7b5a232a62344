import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import { UnavailableError } from '../../api/core/errors';
import type { AppendOptions, AppendResult, EventData, EventStore, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../../api/infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { createWebhookRouter, type WebhookRouter, type WebhookRouterOptions } from '../../api/webhooks/webhookRouter';
import { generateTelnyxKeys, signedHeaders, unixSeconds, type TelnyxSigningKeys } from '../support/telnyxSigning';

/**
 * Fault injection around a real store: while `down` is set every call fails with UnavailableError
 * before reaching the store, the way an unreachable EventStoreDB fails.
 */
export class SwitchableEventStore implements EventStore {
  down = false;

  constructor(private readonly inner: EventStore) {}

  private check(): void {
    if (this.down) throw new UnavailableError('event store switched off by the test');
  }

  async append(streamId: string, events: EventData[], options?: AppendOptions): Promise<AppendResult> {
    this.check();
    return this.inner.append(streamId, events, options);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.check();
    return this.inner.readStream(streamId, options);
  }

  async streamRevision(streamId: string): Promise<bigint | 'no_stream'> {
    this.check();
    return this.inner.streamRevision(streamId);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.check();
    return this.inner.readAll(options);
  }

  async headPosition(): Promise<bigint> {
    this.check();
    return this.inner.headPosition();
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    this.check();
    return this.inner.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface WebhookServer {
  url: string;
  store: SqliteEventStore;
  switchable: SwitchableEventStore;
  router: WebhookRouter;
  keys: TelnyxSigningKeys;
  dir: string;
  /** Sends a body signed now (or at `timestamp`) with the server's key. */
  deliver: (body: string | Buffer, options?: DeliverOptions) => Promise<Delivery>;
  close: () => Promise<void>;
}

export interface DeliverOptions {
  timestamp?: number;
  path?: string;
  headers?: Record<string, string>;
  signWith?: TelnyxSigningKeys;
  /** Sign `signedBody` but send the body given to deliver. */
  signedBody?: string | Buffer;
}

export interface Delivery {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export const silentLogger = pino({ level: 'silent' });

/** `publicKey` trusts another signer (the simulator); `deliver` still signs with `keys`. */
export const startWebhookServer = async (options: Partial<WebhookRouterOptions> & { dir?: string; keys?: TelnyxSigningKeys } = {}): Promise<WebhookServer> => {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'callstream-webhooks-'));
  const keys = options.keys ?? generateTelnyxKeys();
  const store = new SqliteEventStore({ dataDir: dir, logger: silentLogger });
  const switchable = new SwitchableEventStore(store);
  const router = createWebhookRouter({ logger: silentLogger, ...options, eventStore: options.eventStore ?? switchable, publicKey: options.publicKey ?? keys.publicKeyBase64 });
  const app = express();
  app.use(router);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const deliver = async (body: string | Buffer, deliverOptions: DeliverOptions = {}): Promise<Delivery> => {
    const signer = deliverOptions.signWith ?? keys;
    const response = await fetch(`${url}${deliverOptions.path ?? '/webhooks/telnyx'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedHeaders(signer.privateKey, deliverOptions.signedBody ?? body, deliverOptions.timestamp ?? unixSeconds()),
        ...deliverOptions.headers,
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  };

  const close = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    await store.close();
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  };

  return { url, store, switchable, router, keys, dir, deliver, close };
};

/** Every event of the store, in $all order. */
export const allEvents = async (store: EventStore): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  let from: bigint | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    from = page[page.length - 1].position;
  }
};

/** A deterministic shuffle (xorshift), so a failing order can be replayed. */
export const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { WebhookEnvelope } from '../webhooks/dispatcher';
import { ed25519PublicKey, verifyTelnyxSignature } from './verify';

export interface ReceivedWebhook {
  raw: string;
  headers: Record<string, string>;
  envelope: WebhookEnvelope;
  verified: boolean;
  /** The status this receiver answered. */
  status: number;
  path: string;
}

/** The status to answer, or 'hang' to never answer (the sender times out). */
export type Responder = (hook: ReceivedWebhook, index: number) => number | 'hang';

/**
 * A webhook endpoint for tests: verifies each delivery's Ed25519 signature, answers with the
 * responder's status (200 by default, 401 on a bad signature) and records everything.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private responder: Responder = () => 200;
  private waiters = new Set<() => void>();
  private readonly key: KeyObject;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    publicKeyBase64: string,
  ) {
    this.key = ed25519PublicKey(publicKeyBase64);
  }

  static async start(options: { publicKeyBase64: string; path?: string }): Promise<WebhookReceiver> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.handle(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const receiver: WebhookReceiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${options.path ?? '/webhooks/telnyx'}`, options.publicKeyBase64);
    return receiver;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Deliveries that verified and were acknowledged with a 2xx. */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((h) => h.verified && h.status >= 200 && h.status < 300);
  }

  /** Accepted events, one per data.id (first delivery wins), in occurred_at order. */
  events(): WebhookEnvelope['data'][] {
    const seen = new Map<string, WebhookEnvelope['data']>();
    for (const h of this.accepted()) if (!seen.has(h.envelope.data.id)) seen.set(h.envelope.data.id, h.envelope.data);
    return [...seen.values()].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  }

  /** Accepted events of one leg, in occurred_at order. */
  legEvents(callControlId: string): WebhookEnvelope['data'][] {
    return this.events().filter((e) => e.payload.call_control_id === callControlId);
  }

  /** Waits until `predicate` holds over what was received. */
  waitUntil(predicate: () => boolean, description: string, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.events().map((e) => `${e.event_type}(${String(e.payload.call_control_id ?? e.payload.call_leg_id).slice(0, 12)})`);
        reject(new Error(`timed out waiting for ${description}; received: ${seen.join(', ') || 'nothing'}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Waits for an accepted event of `type` matching `match`, and returns it. */
  async waitForEvent(type: string, match: (payload: Record<string, unknown>) => boolean = () => true, timeoutMs?: number): Promise<WebhookEnvelope['data']> {
    const find = () => this.events().find((e) => e.event_type === type && match(e.payload));
    await this.waitUntil(() => find() !== undefined, type, timeoutMs);
    return find()!;
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const raw = body.toString('utf8');
    const verified = verifyTelnyxSignature(this.key, body, req.headers);
    let envelope: WebhookEnvelope;
    try {
      envelope = JSON.parse(raw) as WebhookEnvelope;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const hook: ReceivedWebhook = { raw, headers, envelope, verified, status: 0, path: req.url ?? '' };
    const answer = verified ? this.responder(hook, this.received.length) : 401;
    hook.status = answer === 'hang' ? 0 : answer;
    this.received.push(hook);
    if (answer !== 'hang') res.writeHead(answer).end();
    for (const w of [...this.waiters]) w();
  }
}

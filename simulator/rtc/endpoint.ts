import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { CredentialStore } from '../credentials';
import type { SimLogger } from '../logger';
import type { World } from '../world/world';
import type { RtcCallView, RtcMediaPeer } from './media';
import { placeholderAnswer, placeholderOffer } from './sdp';
import { RtcSession, type RtcMediaSource, type RtcSessionView } from './session';

export interface RtcEndpointDeps {
  credentials: CredentialStore;
  world: World;
  logger: SimLogger;
  /** The WebSocket path on the simulator's HTTP server. */
  path?: string;
}

/**
 * The simulator's stand-in for wss://rtc.telnyx.com: a `telnyx_rtc` JSON-RPC WebSocket that the
 * real @telnyx/webrtc SDK logs in to with a simulator-issued `login_token`. Each logged-in socket
 * is an agent device in the world. Signalling only: media flows only when a media peer (or a
 * queued offer) supplies a real far end's SDP.
 */
export class RtcEndpoint {
  readonly path: string;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly sessions = new Set<RtcSession>();
  private readonly queuedOffers = new Map<string, string[]>();
  private peer?: RtcMediaPeer;
  private readonly log: SimLogger;

  constructor(private readonly deps: RtcEndpointDeps) {
    this.path = deps.path ?? '/rtc';
    this.log = deps.logger.child({ component: 'rtc' });
  }

  /** Takes WebSocket upgrades for `path` on the server; refuses upgrades for any other path. */
  attach(server: http.Server): void {
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (pathname !== this.path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** Sets (or with undefined removes) the far end that supplies SDP for browser calls. */
  setMediaPeer(peer: RtcMediaPeer | undefined): void {
    this.peer = peer;
  }

  /** Uses `sdp` as the offer of the next invite that rings `sipUsername` (before any media peer). */
  queueOffer(sipUsername: string, sdp: string): number {
    const queue = this.queuedOffers.get(sipUsername) ?? [];
    queue.push(sdp);
    this.queuedOffers.set(sipUsername, queue);
    return queue.length;
  }

  sessionViews(): RtcSessionView[] {
    return [...this.sessions].map((s) => s.snapshot());
  }

  calls(): RtcCallView[] {
    return this.sessionViews().flatMap((s) => s.calls);
  }

  /** Closes every browser socket (1012, service restart) and forgets queued offers. */
  reset(): void {
    this.queuedOffers.clear();
    for (const s of this.sessions) s.close(1012, 'simulator reset');
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const session: RtcSession = new RtcSession(ws, {
      credentials: this.deps.credentials,
      network: this.deps.world.network,
      register: (device) => this.deps.world.registerDevice(device),
      unregister: (device) => this.deps.world.devices.unregister(device.sipUsername, device),
      media: this.media,
      logger: this.deps.logger,
      onClose: (s) => this.sessions.delete(s),
    });
    this.sessions.add(session);
  }

  private readonly media: RtcMediaSource = {
    offer: async (call) => {
      const queued = this.queuedOffers.get(call.sipUsername)?.shift();
      if (queued) return { sdp: queued, media: 'queued' };
      const sdp = await this.fromPeer('offerFor', () => this.peer?.offerFor?.(call));
      return sdp ? { sdp, media: 'peer' } : { sdp: placeholderOffer(), media: 'placeholder' };
    },
    answer: async (call, offer, reason) => {
      const sdp = await this.fromPeer('answerFor', () => this.peer?.answerFor?.(call, offer, reason));
      return sdp ? { sdp, media: 'peer' } : { sdp: placeholderAnswer(offer), media: 'placeholder' };
    },
    browserAnswered: (call, sdp) => {
      void this.fromPeer('browserAnswered', async () => {
        await this.peer?.browserAnswered?.(call, sdp);
        return undefined;
      });
    },
  };

  private async fromPeer(hook: string, fn: () => Promise<string | undefined> | string | undefined): Promise<string | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.log.warn({ err, hook }, 'rtc media peer failed; using a placeholder');
      return undefined;
    }
  }
}

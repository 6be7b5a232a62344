import express, { type Response } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallEngine, type Destination } from './calls/engine';
import type { Leg } from './calls/model';
import { QueueStore } from './calls/queues';
import { RecordingStore, type SavedRecording } from './calls/recordings';
import { SimClock, type ClockSnapshot } from './clock';
import { parseSimulatorOptions, type Faults, type FaultsPatch, type SimulatorOptions, type SimulatorOptionsInput } from './config';
import { controlRouter } from './control/router';
import { Counters, type CountersSnapshot } from './counters';
import { CredentialStore } from './credentials';
import { FaultController } from './faults';
import { newUuid } from './ids';
import { loadSigningKeys } from './keys';
import { createSimLogger, type SimLogger } from './logger';
import { errorHandler, send, type Reply } from './rest/http';
import { v2Router } from './rest/v2';
import { Rng } from './rng';
import { RtcEndpoint } from './rtc/endpoint';
import { rtcControlRouter } from './rtc/router';
import { WebhookDispatcher, type DeliveryRecord, type WebhookEvent } from './webhooks/dispatcher';
import { World } from './world/world';

/** A JSON view of a leg for the control API. */
export interface LegView {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  direction: Leg['direction'];
  from: string;
  to: string;
  state: Leg['state'];
  isAlive: boolean;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  clientState: string | null;
  farEnd: { kind: string; label: string };
  bridgedWith: string | null;
  queue: { name: string; position: number } | null;
  recording: { id: string; paused: boolean } | null;
  transcription: Leg['transcription'] | null;
  gather: { kind: string; digits: string; phase: string } | null;
  supervisor: Leg['supervisor'] | null;
  supervisors: string[];
  hangupCause: string | null;
  hangupSource: string | null;
}

export interface WebhookUrlsPatch {
  webhookUrl?: string | null;
  failoverUrl?: string | null;
}

/** In-process control of a running simulator (the same operations as the /sim HTTP API). */
export interface SimulatorControl {
  faults(): Faults;
  setFaults(patch: FaultsPatch): Faults;
  clearFaults(): Faults;
  counters(): CountersSnapshot;
  resetCounters(): void;
  webhookUrls(): { webhookUrl?: string; failoverUrl?: string };
  setWebhookUrls(patch: WebhookUrlsPatch): { webhookUrl?: string; failoverUrl?: string };
  clock(): ClockSnapshot;
  setScale(scale: number): ClockSnapshot;
  /** Jumps simulated time forward (due timers fire at once, in order). */
  advance(simMs: number): ClockSnapshot;
  calls(filter?: { alive?: boolean }): LegView[];
  call(callControlId: string): LegView | undefined;
  recordings(): SavedRecording[];
  deliveries(limit?: number): DeliveryRecord[];
  /** Resolves when no webhook is queued, in flight or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  /** Observes every webhook event as it is emitted (before delivery); returns an unsubscribe function. */
  onEvent(listener: (event: WebhookEvent, leg: LegView) => void): () => void;
  /** Forgets calls, queues, recordings, credentials, phones, callers, pending webhooks and counters; faults go back to the start options. */
  reset(): void;
}

export interface Simulator {
  /** http://host:port */
  url: string;
  /** url + '/v2': the SDK's baseURL. */
  apiBaseUrl: string;
  apiKey: string;
  controlKey: string;
  publicKeyBase64: string;
  options: SimulatorOptions;
  world: World;
  control: SimulatorControl;
  clock: SimClock;
  engine: CallEngine;
  credentials: CredentialStore;
  /** The `telnyx_rtc` WebSocket for the real WebRTC SDK: `ws://host:port/rtc`. */
  rtc: RtcEndpoint;
  logger: SimLogger;
  close(): Promise<void>;
}

/** Starts a simulator listening on options.host:options.port (0 = any free port). */
export async function createSimulator(input: SimulatorOptionsInput = {}): Promise<Simulator> {
  const options = parseSimulatorOptions(input);
  const logger = createSimLogger(options.logLevel);
  const clock = new SimClock({ scale: options.scale, onError: (err) => logger.error({ err }, 'simulated timer failed') });
  const rng = new Rng(options.seed ?? Date.now());
  const counters = new Counters();
  const faults = new FaultController(options.faults, rng, counters);
  const keys = loadSigningKeys({ privateKeyPem: options.privateKeyPem, keyFile: options.keyFile });
  const urls: { webhookUrl?: string; failoverUrl?: string } = { webhookUrl: options.webhookUrl, failoverUrl: options.failoverUrl };
  let publicUrl = options.publicUrl ?? '';

  const dispatcher = new WebhookDispatcher({ keys, config: options.webhooks, urls: () => urls, faults, counters, rng, logger });
  const recordings = new RecordingStore({
    clock,
    baseUrl: () => publicUrl,
    ttlMs: options.recordingUrlTtlMs,
    maxAudioSecs: options.recordingMaxAudioSecs,
  });
  const queues = new QueueStore(newUuid);
  const credentials = new CredentialStore({ keys, userId: newUuid() });
  const listeners = new Set<(event: WebhookEvent, leg: LegView) => void>();
  const engine: CallEngine = new CallEngine({
    clock,
    logger,
    counters,
    recordings,
    queues,
    options,
    emit: (event, leg) => {
      dispatcher.enqueue(event);
      if (listeners.size > 0) {
        const view = legView(leg, clock, engine);
        for (const l of listeners) l(event, view);
      }
    },
    resolve: (to, leg): Destination => world.resolve(to, leg),
  });
  const world: World = new World({
    engine,
    clock,
    rng,
    counters,
    logger,
    mainNumber: options.mainNumber,
    inboundAnswerTimeoutMs: options.inboundAnswerTimeoutMs,
  });
  const rtc = new RtcEndpoint({ credentials, world, logger });

  const held = new Map<NodeJS.Timeout, Response>();
  const hold = (res: Response, reply: Reply, ms: number): void => {
    const timer = setTimeout(() => {
      held.delete(timer);
      send(res, reply);
    }, ms);
    held.set(timer, res);
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  };

  const control: SimulatorControl = {
    faults: () => faults.get(),
    setFaults: (patch) => faults.set(patch),
    clearFaults: () => faults.clear(),
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    webhookUrls: () => ({ ...urls }),
    setWebhookUrls: (patch) => {
      if (patch.webhookUrl !== undefined) urls.webhookUrl = patch.webhookUrl ?? undefined;
      if (patch.failoverUrl !== undefined) urls.failoverUrl = patch.failoverUrl ?? undefined;
      return { ...urls };
    },
    clock: () => clock.snapshot(),
    setScale: (scale) => {
      clock.setScale(scale);
      return clock.snapshot();
    },
    advance: (ms) => {
      clock.advance(ms);
      return clock.snapshot();
    },
    calls: (filter = {}) =>
      engine
        .all()
        .filter((l) => filter.alive === undefined || (l.state !== 'hangup') === filter.alive)
        .map((l) => legView(l, clock, engine)),
    call: (id) => {
      const leg = engine.get(id);
      return leg ? legView(leg, clock, engine) : undefined;
    },
    recordings: () => recordings.list(),
    deliveries: (limit) => dispatcher.recent(limit),
    webhooksIdle: () => dispatcher.idle(),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset: () => {
      rtc.reset();
      world.reset();
      clock.cancelAll();
      engine.reset();
      queues.clear();
      recordings.clear();
      credentials.clear();
      dispatcher.clear();
      counters.reset();
      faults.set(options.faults);
    },
  };

  const controlKey = options.controlKey ?? options.apiKey;
  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/v2',
    v2Router({ apiKey: () => options.apiKey, engine, credentials, faults, counters, hold }),
  );
  app.use('/sim/rtc', rtcControlRouter({ controlKey: () => controlKey, endpoint: rtc }));
  app.use(
    '/sim',
    controlRouter({ controlKey: () => controlKey, publicKeyBase64: keys.publicKeyBase64, control, world, options, apiBaseUrl: () => `${publicUrl}/v2` }),
  );
  app.get('/recordings/:file', (req, res) => {
    const file = typeof req.params.file === 'string' ? req.params.file : '';
    const id = file.replace(/\.wav$/, '');
    const expires = typeof req.query.expires === 'string' ? req.query.expires : undefined;
    const signature = typeof req.query.signature === 'string' ? req.query.signature : undefined;
    const verdict = file.endsWith('.wav') ? recordings.check(id, expires, signature) : 'invalid';
    if (verdict !== 'ok') {
      res
        .status(403)
        .type('application/json')
        .send(JSON.stringify({ errors: [{ code: '10010', title: 'Authorization failed', detail: verdict === 'expired' ? 'The recording URL has expired.' : 'The recording URL is not valid.' }] }));
      return;
    }
    res.status(200).type('audio/wav').send(recordings.wav(id));
  });
  app.use(errorHandler(logger));

  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  rtc.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  if (!options.publicUrl) publicUrl = url;
  logger.info({ url, scale: options.scale, publicKey: keys.publicKeyBase64, webhookUrl: urls.webhookUrl }, 'Telnyx simulator listening');

  let closed = false;
  return {
    url,
    apiBaseUrl: `${url}/v2`,
    apiKey: options.apiKey,
    controlKey,
    publicKeyBase64: keys.publicKeyBase64,
    options,
    world,
    control,
    clock,
    engine,
    credentials,
    rtc,
    logger,
    close: async () => {
      if (closed) return;
      closed = true;
      world.reset();
      clock.close();
      dispatcher.close();
      for (const [timer, res] of held) {
        clearTimeout(timer);
        res.destroy();
      }
      held.clear();
      await rtc.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function legView(leg: Leg, clock: SimClock, engine: CallEngine): LegView {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : clock.iso(ms));
  return {
    callControlId: leg.callControlId,
    callLegId: leg.callLegId,
    callSessionId: leg.callSessionId,
    connectionId: leg.connectionId,
    direction: leg.direction,
    from: leg.from,
    to: leg.to,
    state: leg.state,
    isAlive: leg.state !== 'hangup',
    startedAt: clock.iso(leg.startedAt),
    answeredAt: iso(leg.answeredAt),
    endedAt: iso(leg.endedAt),
    clientState: leg.clientState,
    farEnd: { kind: leg.farEnd.kind, label: leg.farEnd.label },
    bridgedWith: leg.bridgedWith ?? null,
    queue: leg.queue ? { name: leg.queue.name, position: queuePosition(engine, leg) } : null,
    recording: leg.recording ? { id: leg.recording.id, paused: leg.recording.segmentStart === null } : null,
    transcription: leg.transcription ?? null,
    gather: leg.gather ? { kind: leg.gather.kind, digits: leg.gather.digits, phase: leg.gather.phase } : null,
    supervisor: leg.supervisor ?? null,
    supervisors: [...leg.supervisors],
    hangupCause: leg.hangupCause ?? null,
    hangupSource: leg.hangupSource ?? null,
  };
}

function queuePosition(engine: CallEngine, leg: Leg): number {
  if (!leg.queue) return 0;
  try {
    const calls = engine.queueCalls(leg.queue.name);
    return calls.findIndex((c) => c.call_control_id === leg.callControlId) + 1;
  } catch {
    return 0;
  }
}

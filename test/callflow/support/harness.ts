import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import { agentStreamId, type AgentEvent } from '../../../api/agents/agent';
import type { CallEvent } from '../../../api/calls/callEvents';
import { callStreamId } from '../../../api/calls/webhook';
import type { ConfigCommand } from '../../../api/config/configDecider';
import type { AgentProfile, QueueConfig } from '../../../api/config/config';
import { defaultConfiguration } from '../../../api/config/defaultConfiguration';
import { embeddedCrm } from '../../../api/crm/embeddedContacts';
import type { EventStore, RecordedEvent } from '../../../api/infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { inProcessSimulatorClock } from '../../../api/reactor/clock';
import { CallControlService } from '../../../api/reactor/commands';
import { ConfigurationView } from '../../../api/reactor/configurationView';
import { Reactor, type ReactorOptions } from '../../../api/reactor/reactor';
import { FileRecordingStore } from '../../../api/recordings/fileRecordingStore';
import type { RequestMeta } from '../../../api/users/userService';
import { createWebhookRouter } from '../../../api/webhooks/webhookRouter';
import { SqliteReadModelStore } from '../../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { createSimulator, type Simulator } from '../../../simulator';
import type { PhoneBehaviourInput } from '../../../simulator/world/scripts';
import type { SimulatorOptionsInput } from '../../../simulator/config';

export const silent = pino({ level: process.env.CALLFLOW_LOG_LEVEL ?? 'silent' });

export interface HarnessOptions {
  scale?: number;
  seed?: number;
  simulator?: Partial<SimulatorOptionsInput>;
  reactor?: Partial<ReactorOptions>;
  /** Start without a reactor in this process (the kill test runs it as a child process). */
  withoutReactor?: boolean;
  dir?: string;
  /** Telnyx adapter settings (TELNYX_TIMEOUT_MS, TELNYX_MAX_RETRIES). */
  telnyxEnv?: NodeJS.ProcessEnv;
  /** Wraps the event store the webhook intake appends to (fault injection). */
  decorateIntakeStore?: (store: EventStore) => EventStore;
}

export interface Harness {
  dir: string;
  store: SqliteEventStore;
  readModels: SqliteReadModelStore;
  sim: Simulator;
  reactor: Reactor | null;
  control: CallControlService;
  configuration: ConfigurationView;
  recordings: FileRecordingStore;
  webhookUrl: string;
  ctx(actor?: string): RequestMeta;
  /** Configures an agent profile (optional), logs the agent in, registers the device and a simulated phone. */
  agent(agentId: string, phone?: PhoneBehaviourInput, profile?: Partial<AgentProfile>): Promise<string>;
  configureQueue(queueId: string, change: Partial<QueueConfig>): Promise<void>;
  configure(command: Omit<ConfigCommand, 'metadata'>): Promise<void>;
  callEvents(callId: string): Promise<CallEvent[]>;
  agentEvents(agentId: string): Promise<AgentEvent[]>;
  /** Polls until `check` returns a value (not undefined/false), within `timeoutMs` of real time. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  /** The call has ended (CallEnded appended); returns its events. */
  ended(callId: string, timeoutMs?: number): Promise<CallEvent[]>;
  close(): Promise<void>;
}

let requestSeq = 0;

export const sipOf = (agentId: string): string => `gencred${agentId.replace(/[^A-Za-z0-9]/g, '')}`;

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'callstream-callflow-'));
  const store = new SqliteEventStore({ dataDir: dir, logger: silent, pollIntervalMs: 5 });
  const readModels = new SqliteReadModelStore({ dataDir: dir, logger: silent });
  const sim = await createSimulator({ scale: options.scale ?? 40, seed: options.seed ?? 7, logLevel: 'silent', ...options.simulator });
  const router = createWebhookRouter({ eventStore: options.decorateIntakeStore ? options.decorateIntakeStore(store) : store, publicKey: sim.publicKeyBase64, logger: silent });
  const app = express();
  app.use(router);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telnyx`;
  sim.control.setWebhookUrls({ webhookUrl });

  const clock = inProcessSimulatorClock(sim.clock);
  const telnyx = new SdkTelnyxAdapter(loadTelnyxConfig(options.telnyxEnv ?? {}, embeddedFromSimulator(sim)), { logger: silent });
  const recordings = new FileRecordingStore({ dataDir: dir });
  const configuration = new ConfigurationView(store, silent);
  const control = new CallControlService({ eventStore: store, config: () => configuration.current(), clock });
  let reactor: Reactor | null = null;
  if (!options.withoutReactor) {
    reactor = new Reactor({
      eventStore: store,
      readModels,
      telnyx,
      recordings,
      clock,
      crm: embeddedCrm(),
      logger: silent,
      leaseTtlMs: 3000,
      checkpointIntervalMs: 200,
      ...options.reactor,
    });
    reactor.start();
    await reactor.whenActive();
  }
  await configuration.start();

  const ctx = (actor = 'test'): RequestMeta => ({ actor, requestId: `req-${process.pid}-${++requestSeq}` });

  const waitFor = async <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const configure = async (command: Omit<ConfigCommand, 'metadata'>): Promise<void> => {
    const result = await control.configure(command, ctx('admin'));
    if (result.position !== null) await configuration.waitFor(result.position);
    if (reactor) await reactor.settled();
  };

  const harness: Harness = {
    dir,
    store,
    readModels,
    sim,
    reactor,
    control,
    configuration,
    recordings,
    webhookUrl,
    ctx,
    configure,
    async configureQueue(queueId, change) {
      const base = configuration.current().queues[queueId] ?? defaultConfiguration().queues[queueId];
      await configure({ type: 'ConfigureQueue', data: { queue: { ...base, ...change, queueId } } });
    },
    async agent(agentId, phone = {}, profile) {
      if (profile || !configuration.current().agents[agentId]) {
        const base = configuration.current().agents[agentId] ?? {
          agentId,
          name: agentId,
          skills: [],
          languages: ['en'],
          departments: [],
          maxNoAnswer: 3,
          wrapUpSeconds: 0,
          mayCallOut: true,
          supervisor: false,
        };
        await configure({ type: 'ConfigureAgentProfile', data: { agent: { ...base, ...profile, agentId } } });
      }
      const sipUsername = sipOf(agentId);
      sim.world.registerPhone(sipUsername, phone);
      await control.logIn({ agentId }, ctx(agentId));
      await control.registerDevice({ agentId, credentialId: `cred-${agentId}`, sipUsername }, ctx(agentId));
      return sipUsername;
    },
    async callEvents(callId) {
      return (await store.readStream(callStreamId(callId))).map((e) => ({ type: e.type, data: e.data }) as CallEvent);
    },
    async agentEvents(agentId) {
      return (await store.readStream(agentStreamId(agentId))).map((e) => ({ type: e.type, data: e.data }) as AgentEvent);
    },
    waitFor,
    async ended(callId, timeoutMs = 20_000) {
      return waitFor(`call ${callId} to end`, async () => {
        const events = await harness.callEvents(callId);
        return events.some((e) => e.type === 'CallEnded') ? events : undefined;
      }, timeoutMs);
    },
    async close() {
      await reactor?.stop();
      await configuration.stop();
      await sim.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await readModels.close();
      await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
};

export const types = (events: readonly { type: string }[]): string[] => events.map((e) => e.type);

export const ofType = <T extends CallEvent['type']>(events: readonly CallEvent[], type: T): Array<Extract<CallEvent, { type: T }>> =>
  events.filter((e): e is Extract<CallEvent, { type: T }> => e.type === type);

export const one = <T extends CallEvent['type']>(events: readonly CallEvent[], type: T): Extract<CallEvent, { type: T }> => {
  const found = ofType(events, type);
  if (found.length === 0) throw new Error(`no ${type} among ${events.map((e) => e.type).join(', ')}`);
  return found[0];
};

export const allEvents = async (store: SqliteEventStore): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  let from: bigint | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: 2000 });
    out.push(...page);
    if (page.length < 2000) return out;
    from = page[page.length - 1].position;
  }
};

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { agentStreamId } from '../agents/agent';
import type { AgentCommand } from '../agents/agentDecider';
import { agentFollowUps } from '../agents/followUps';
import type { CallCommand } from '../calls/callCommands';
import type { CallEvent, CallTransferRequested } from '../calls/callEvents';
import { reservationDeadline, type Timer } from '../calls/timers';
import { CALL_STREAM_PREFIX, callStreamId, decodeClientState, owningCallId, sipUsernameOf, type TelnyxWebhookData } from '../calls/webhook';
import { decideCall } from '../calls/callDecider';
import type { CallState } from '../calls/callState';
import { defaultConfigurationEvents } from '../config/defaultConfiguration';
import { configStreams } from '../config/config';
import { deterministicId, eventIdAt, type CommandMetadata } from '../core/decider';
import { CallstreamError, IllegalStateError, LeaseLostError, UnavailableError, WrongExpectedVersionError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import type { CrmContact, CrmPort, PreviousCall } from '../crm/crmPort';
import { START, type EventStore, type RecordedEvent, type Subscription } from '../infrastructure/eventStore/eventStore';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { RecordingStore } from '../recordings/recordingStore';
import { route } from '../routing/router';
import type { RoutingDecision } from '../routing/routingDecision';
import { agentBySipUsername, agentsServing, queuePosition, routingSnapshot, type RoutingView } from '../routing/routingView';
import { estimatedWaitSeconds } from '../routing/ewt';
import type { Lease, ReadModelDocument, ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { nowIso, type ReactorClock } from './clock';
import { CommandDispatcher, type CommandOutcome } from './commandDispatcher';
import { DecisionWriter } from './decisionWriter';
import { Progress } from './progress';
import { dialledDigits, pendingCommandOf, REACTOR_CHECKPOINT, REACTOR_COLLECTION, ReactorState, type PendingCommand, type PendingTimer } from './reactorState';
import { RecordingDownloader } from './recordingDownloader';
import { Scheduler, type Scheduled } from './scheduler';
import { callFold, handleAgentCommand, handleCallCommand } from './streams';

/** Optional hooks for latency figures (bench/routing). */
export interface ReactorMetrics {
  /** An agent became routable (Available, idle, registered) and the reactor learned of it, with how many calls wait for an offer and how many agents are routable now. */
  agentRoutable?(agentId: string, at: number, callsWaiting: number, agentsRoutable: number): void;
  /** A Telnyx command was handed to the HTTP client. */
  commandSent?(command: PendingCommand, at: number): void;
  /** Every event up to `position` has been handled and the checkpoint saved there (lag gauges, readiness). */
  handled?(position: bigint): void;
}

export interface ReactorOptions {
  eventStore: EventStore;
  readModels: ReadModelStore;
  telnyx: TelnyxPort;
  recordings: RecordingStore;
  clock: ReactorClock;
  crm?: CrmPort;
  /** How long a caller lookup may take before the caller is recorded as unknown. */
  crmTimeoutMs?: number;
  /** Previous calls of a number for the screen pop (the call-history read model); none when absent. */
  previousCalls?: (number: string, signal: AbortSignal) => Promise<PreviousCall[]>;
  logger?: Logger;
  /** Unique per process. */
  owner?: string;
  leaseTtlMs?: number;
  /** Real ms between checkpoint saves. */
  checkpointIntervalMs?: number;
  /** Append the demo configuration when the configuration streams are empty. */
  seedDefaultConfiguration?: boolean;
  /** Telephony ms during which Telnyx drops a repeated command_id (60 s; a simulator may be configured otherwise). */
  commandIdWindowMs?: number;
  /** Average handle time used for the estimated wait in announcements. */
  averageHandleSeconds?: number;
  /** Real ms between routing passes when nothing triggers one (a safety net). */
  idlePassIntervalMs?: number;
  /** Events being worked on at once before the reactor stops reading ahead. */
  maxInFlight?: number;
  metrics?: ReactorMetrics;
}

export interface ReactorStatus {
  active: boolean;
  caughtUp: boolean;
  owner: string;
  epoch: number | null;
  foldedThrough: bigint;
  checkpoint: bigint;
  waitingCalls: number;
  pendingCommands: number;
  pendingDownloads: number;
  timers: number;
  inFlight: number;
  dispatcher: CommandDispatcher['counters'];
  downloads: RecordingDownloader['counters'];
  writer: DecisionWriter['counters'];
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

const RETRY_DELAYS_MS = [50, 200, 500, 1000, 2000, 5000];

/** How long (telephony time) a started call back waits for the agent's outbound call to its number. */
const CALL_BACK_WINDOW_MS = 15 * 60_000;

/** Errors that say the decision was refused (bad state, unknown call): logged, not retried. */
const refused = (error: unknown): boolean => error instanceof CallstreamError && !(error instanceof UnavailableError) && !(error instanceof WrongExpectedVersionError) && !(error instanceof LeaseLostError);

class Stopped extends Error {}

/**
 * The process manager of the call flow. It holds the `reactor` lease (one active reactor; others stand by),
 * follows $all from its fenced checkpoint and, for each event: decides the call's next step on a webhook,
 * sends the Telnyx commands the call streams requested (after they were appended), applies the agent
 * follow-ups, runs routing passes (reserve the agent on its stream, then offer), keeps the timers, downloads
 * recordings and looks callers up. Its folded state (routing view, commands without an outcome, pending
 * downloads and timers) is saved with the checkpoint in one fenced write, so a restart never replays history
 * into Telnyx: it resumes from the checkpoint and reconciles what was in flight.
 */
export class Reactor {
  readonly owner: string;
  private readonly logger: Logger;
  private readonly clock: ReactorClock;
  private readonly leaseTtlMs: number;
  private readonly checkpointIntervalMs: number;
  private readonly maxInFlight: number;
  private readonly averageHandleSeconds: number;

  private state!: ReactorState;
  private writer!: DecisionWriter;
  private dispatcher!: CommandDispatcher;
  private downloader!: RecordingDownloader;
  private scheduler!: Scheduler<PendingTimer>;
  private progress!: Progress;

  private lease: Lease | null = null;
  private leaseValidUntil = 0;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private running = false;
  private caughtUp = false;
  private actFrom = -1n;
  private lastSaved = -2n;
  private saving: Promise<void> | null = null;
  private readonly timerWork = new Set<Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();
  private activeWaiters: Array<() => void> = [];
  private readonly outcomeBatches = new Map<string, Array<{ command: PendingCommand; outcome: CommandOutcome; resolve: () => void; reject: (error: unknown) => void }>>();
  private outcomeFlush: NodeJS.Immediate | undefined;
  private timersToClear: NodeJS.Timeout[] = [];

  // routing
  private passScheduled = false;
  private passRunning = false;
  private passAgain = false;
  private readonly claimedCalls = new Set<string>();
  private readonly claimedAgents = new Set<string>();
  /** The last follow-up of each agent stream, so the next waits for it (retries included). */
  private readonly agentFollowUpChains = new Map<string, Promise<unknown>>();
  private readonly claimReleases: Array<{ position: bigint; callId: string; agentIds: string[] }> = [];
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: ReactorOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = (options.logger ?? createLogger('reactor')).child({ component: 'reactor', owner: this.owner });
    this.clock = options.clock;
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 5000;
    this.averageHandleSeconds = options.averageHandleSeconds ?? 180;
    this.reset();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts in the background: takes the lease when it can (standing by meanwhile) and works until stopped. */
  start(): void {
    this.loop ??= this.main().catch((error: unknown) => this.logger.fatal({ err: error }, 'reactor stopped on an unexpected error'));
  }

  /** Resolves once this reactor holds the lease and has caught up with the event store. */
  whenActive(): Promise<void> {
    if (this.running && this.caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.activeWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.loop;
  }

  status(): ReactorStatus {
    return {
      active: this.running,
      caughtUp: this.caughtUp,
      owner: this.owner,
      epoch: this.lease?.epoch ?? null,
      foldedThrough: this.state.foldedThrough,
      checkpoint: this.progress.checkpoint(),
      waitingCalls: Object.keys(this.state.view.waiting).length,
      pendingCommands: this.state.pendingCommands.size,
      pendingDownloads: this.state.pendingDownloads.size,
      timers: this.state.timers.size,
      inFlight: this.progress.inFlight,
      dispatcher: { ...this.dispatcher.counters },
      downloads: { ...this.downloader.counters },
      writer: { ...this.writer.counters },
    };
  }

  /** The routing view as folded so far (read-only; for diagnostics and tests). */
  routingView(): Readonly<RoutingView> {
    return this.state.view;
  }

  /** Waits until the reactor has handled everything appended so far (tests). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await this.options.eventStore.headPosition();
      if (this.state.foldedThrough >= head && this.progress.inFlight === 0 && this.dispatcher.queued === 0 && this.timerWork.size === 0 && this.background.size === 0) {
        await this.dispatcher.idle();
        await this.downloader.idle();
        if ((await this.options.eventStore.headPosition()) === head) return;
      }
      if (Date.now() > deadline) throw new Error('the reactor did not settle in time');
      await sleep(10);
    }
  }

  private reset(): void {
    const { telnyx, clock } = this.options;
    this.state = new ReactorState({
      timerAdded: (timer) => this.scheduler.add({ id: timer.id, atMs: Date.parse(timer.at), value: timer }),
      timerRemoved: (id) => this.scheduler.remove(id),
      commandRequested: (command) => this.dispatcher.offer(command),
      commandSettled: (commandId) => this.dispatcher.settle(commandId),
      downloadRequested: (download) => this.downloader.request(download),
      downloadSettled: (recordingId) => this.downloader.settle(recordingId),
    });
    this.writer = new DecisionWriter(this.options.eventStore, {
      onEvents: (streamId, events) => {
        if (!streamId.startsWith(CALL_STREAM_PREFIX)) return;
        const settledHere = new Set<string>();
        for (const e of events) if (e.type === 'TelnyxCommandAccepted' || e.type === 'TelnyxCommandFailed') settledHere.add((e.data as { commandId: string }).commandId);
        for (const e of events) {
          if (e.type !== 'TelnyxCommandRequested') continue;
          const d = e.data as Extract<CallEvent, { type: 'TelnyxCommandRequested' }>['data'];
          if (settledHere.has(d.commandId)) continue;
          this.dispatcher.offer(pendingCommandOf(d, e.revision));
        }
      },
    });
    this.dispatcher = new CommandDispatcher({
      telnyx,
      clock,
      logger: this.logger.child({ part: 'dispatcher' }),
      windowMs: this.options.commandIdWindowMs,
      canSend: () => this.mayAct(),
      recordOutcome: (command, outcome) => this.recordOutcome(command, outcome),
      callState: async (callId) => (await this.writer.read(callFold, callStreamId(callId))).state,
      callWebhooks: async (callId) =>
        (await this.options.eventStore.readStream(callStreamId(callId)))
          .filter((e) => e.type === 'TelnyxWebhookReceived' || e.type === 'TelnyxWebhookLinked')
          .map((e) => e.data as TelnyxWebhookData),
      onSent: (command, at) => this.options.metrics?.commandSent?.(command, at),
    });
    this.downloader = new RecordingDownloader({
      telnyx,
      store: this.options.recordings,
      clock,
      logger: this.logger.child({ part: 'recordings' }),
      canAct: () => this.mayAct(),
      recordStored: async (download, stored) => {
        await this.withRetry(`record recording ${download.recordingId}`, () =>
          this.call(download.callId, {
            type: 'RecordRecordingStored',
            data: { recordingId: download.recordingId, location: stored.location, contentType: stored.contentType, sizeBytes: stored.sizeBytes },
            metadata: this.meta(deterministicId('recording-stored', download.recordingId), download.callId),
          }),
        );
      },
      recordFailed: async (download, error) => {
        await this.withRetry(`record failed download ${download.recordingId}`, () =>
          this.call(download.callId, {
            type: 'RecordRecordingDownloadFailed',
            data: { recordingId: download.recordingId, error: error.slice(0, 500) },
            metadata: this.meta(deterministicId('recording-download-failed', download.recordingId), download.callId),
          }),
        );
      },
    });
    this.scheduler = new Scheduler<PendingTimer>(clock, (entry) => this.fireTimer(entry));
    this.progress = new Progress(-1n);
    this.caughtUp = false;
    this.claimedCalls.clear();
    this.claimedAgents.clear();
    this.agentFollowUpChains.clear();
    this.claimReleases.length = 0;
  }

  private async main(): Promise<void> {
    while (!this.stopping) {
      let lease: Lease | null = null;
      try {
        lease = await this.options.readModels.acquireLease(REACTOR_CHECKPOINT, this.owner, this.leaseTtlMs);
      } catch (error) {
        this.logger.warn({ err: error }, 'could not reach the lease; retrying');
      }
      if (!lease) {
        await this.standBy();
        continue;
      }
      this.lease = lease;
      this.leaseValidUntil = performance.now() + this.leaseTtlMs * 0.8;
      this.logger.info({ epoch: lease.epoch }, 'reactor lease taken');
      try {
        await this.run();
      } catch (error) {
        if (error instanceof LeaseLostError) this.logger.warn({ epoch: lease.epoch }, 'reactor lease lost; standing by');
        else if (!(error instanceof Stopped)) this.logger.error({ err: error }, 'reactor failed; restarting from its checkpoint');
      } finally {
        await this.shutDownParts();
        if (this.lease && this.stopping) await this.options.readModels.releaseLease(this.lease).catch(() => undefined);
        this.lease = null;
        this.running = false;
        this.reset();
      }
      if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits before trying the lease again. These timers keep the process alive: standing by is its job. */
  private async standBy(): Promise<void> {
    const until = Date.now() + Math.max(100, this.leaseTtlMs / 2);
    while (!this.stopping && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private mayAct(): boolean {
    return this.running && !this.stopping && performance.now() < this.leaseValidUntil;
  }

  private async run(): Promise<void> {
    const { eventStore, readModels } = this.options;
    this.running = true;
    const renew = setInterval(() => {
      const lease = this.lease;
      if (!lease) return;
      readModels.renewLease(lease, this.leaseTtlMs).then(
        (renewed) => {
          this.lease = renewed;
          this.leaseValidUntil = performance.now() + this.leaseTtlMs * 0.8;
        },
        (error: unknown) => {
          if (error instanceof LeaseLostError) {
            this.leaseValidUntil = 0;
            void this.subscription?.close();
          } else {
            this.logger.warn({ err: error }, 'could not renew the reactor lease');
          }
        },
      );
    }, Math.max(50, Math.floor(this.leaseTtlMs / 3)));
    renew.unref();
    this.timersToClear.push(renew);

    if (this.options.seedDefaultConfiguration ?? true) await this.seedConfiguration();
    const resume = await this.loadSnapshot();
    const head = await eventStore.headPosition();
    this.progress = new Progress(resume);
    this.lastSaved = resume;
    this.logger.info({ resume: resume.toString(), foldedThrough: this.state.foldedThrough.toString(), head: head.toString(), actFrom: this.actFrom.toString() }, 'reactor resuming');

    const checkpointTimer = setInterval(() => void this.saveCheckpoint(), this.checkpointIntervalMs);
    checkpointTimer.unref();
    this.timersToClear.push(checkpointTimer);
    const idlePass = setInterval(() => {
      if (this.caughtUp && Object.keys(this.state.view.waiting).length > 0) this.requestPass();
    }, this.options.idlePassIntervalMs ?? 1000);
    idlePass.unref();
    this.timersToClear.push(idlePass);

    if (resume >= head) this.onCaughtUp();
    this.subscription = eventStore.subscribeToAll({ fromPosition: resume < 0n ? START : resume });
    for await (const event of this.subscription) {
      if (this.stopping) break;
      if (!this.mayAct()) throw new LeaseLostError('The reactor lease is no longer held');
      this.consume(event);
      if (!this.caughtUp && event.position >= head) this.onCaughtUp();
      while (this.progress.inFlight > this.maxInFlight && !this.stopping) await sleep(1);
    }
    if (!this.stopping && !this.mayAct()) throw new LeaseLostError('The reactor lease is no longer held');
    if (!this.stopping) throw new UnavailableError('The event store subscription ended');
  }

  private async shutDownParts(): Promise<void> {
    for (const timer of this.timersToClear) clearInterval(timer);
    this.timersToClear = [];
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.scheduler.stop();
    await this.subscription?.close();
    this.subscription = null;
    const deadline = Date.now() + 5000;
    while ((this.progress.inFlight > 0 || this.timerWork.size > 0 || this.background.size > 0) && Date.now() < deadline) await sleep(5);
    await this.dispatcher.stop();
    await this.downloader.stop();
    await this.writer.idle();
    if (this.lease && this.mayActForSave()) await this.saveCheckpoint();
    this.running = false;
  }

  private mayActForSave(): boolean {
    return performance.now() < this.leaseValidUntil;
  }

  private onCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    const pending = [...this.state.pendingCommands.values()];
    for (const command of pending) this.dispatcher.offer(command);
    this.dispatcher.resume();
    for (const download of this.state.pendingDownloads.values()) this.downloader.request(download);
    this.downloader.resume();
    for (const timer of this.state.timers.values()) this.scheduler.add({ id: timer.id, atMs: Date.parse(timer.at), value: timer });
    this.scheduler.start();
    this.logger.info({ pendingCommands: pending.length, pendingDownloads: this.state.pendingDownloads.size, timers: this.state.timers.size }, 'reactor caught up');
    this.requestPass();
    const waiters = this.activeWaiters;
    this.activeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---------------------------------------------------------------- seed and snapshot

  private async seedConfiguration(): Promise<void> {
    const { eventStore } = this.options;
    if ((await eventStore.streamRevision(configStreams.settings())) !== 'no_stream') return;
    const streams = defaultConfigurationEvents(nowIso(this.clock));
    // Settings last: their presence is what says the seed is complete.
    const ordered = [...streams.filter((s) => s.streamId !== configStreams.settings()), ...streams.filter((s) => s.streamId === configStreams.settings())];
    for (const { streamId, events } of ordered) {
      if ((await eventStore.streamRevision(streamId)) !== 'no_stream') continue;
      try {
        await eventStore.append(
          streamId,
          events.map((event, i) => ({ id: eventIdAt(streamId, BigInt(i), event), type: event.type, data: event.data, metadata: { actor: 'system', causationId: 'seed-default-configuration', correlationId: streamId } })),
          { expectedRevision: 'no_stream' },
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
    }
    this.logger.info({ streams: ordered.length }, 'default configuration seeded');
  }

  /** Restores the saved state; returns the position to resume after. Without one, folds history without acting. */
  private async loadSnapshot(): Promise<bigint> {
    const { readModels, eventStore } = this.options;
    const checkpoint = await readModels.getCheckpoint(REACTOR_CHECKPOINT);
    const docs: ReadModelDocument[] = [];
    if (checkpoint) {
      let after: string | undefined;
      for (;;) {
        const page = await readModels.find(REACTOR_COLLECTION, {}, { limit: 1000, ...(after ? { after } : {}) });
        docs.push(...page.items);
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
    }
    if (checkpoint && docs.some((d) => d._id === 'meta')) {
      this.state.load(docs);
      this.actFrom = -1n;
      return checkpoint.position;
    }
    // No saved state: start over. The documents of an earlier state (if any) are dropped, the history is
    // folded without acting on it, and what it leaves pending is reconciled once caught up.
    await readModels.dropCollection(REACTOR_COLLECTION);
    await readModels.ensureCollection({ name: REACTOR_COLLECTION });
    this.actFrom = await eventStore.headPosition();
    return -1n;
  }

  private saveCheckpoint(): Promise<void> {
    if (this.saving) return this.saving;
    const lease = this.lease;
    if (!lease || !this.running) return Promise.resolve();
    const position = this.progress.checkpoint();
    if (position === this.lastSaved && this.state.dirtyCount === 0) return Promise.resolve();
    const snapshot = this.state.snapshotWrite(position, lease.epoch);
    this.saving = this.options.readModels
      .write(snapshot.ops, snapshot.checkpoint)
      .then(
        () => {
          snapshot.saved();
          this.lastSaved = position;
          this.options.metrics?.handled?.(position);
        },
        (error: unknown) => {
          snapshot.failed();
          if (error instanceof LeaseLostError) {
            this.leaseValidUntil = 0;
            void this.subscription?.close();
          } else {
            this.logger.warn({ err: error }, 'could not save the reactor checkpoint');
          }
        },
      )
      .finally(() => {
        this.saving = null;
      });
    return this.saving;
  }

  // ---------------------------------------------------------------- the event loop

  private consume(event: RecordedEvent): void {
    const slot = this.progress.delivered(event.position);
    if (event.position > this.state.foldedThrough) {
      const folded = this.state.fold(event);
      if (folded.agentBecameRoutable !== null && this.options.metrics?.agentRoutable) {
        const view = this.state.view;
        const waiting = Object.values(view.waiting).filter((w) => !w.offering && !this.claimedCalls.has(w.callId)).length;
        const agents = Object.values(view.agents).filter((a) => a.status === 'Available' && a.activity.kind === 'Idle' && a.device?.registered && a.agentId !== null && !this.claimedAgents.has(a.agentId)).length;
        this.options.metrics.agentRoutable(folded.agentBecameRoutable, performance.now(), waiting, agents);
      }
      if (folded.routing) this.requestPass();
    }
    this.releaseClaims(event.position);
    this.writer.observe(event.streamId, event.revision, event);
    if (event.position <= this.actFrom) return;
    const work = this.react(event);
    if (work) this.progress.track(slot, work);
  }

  private takeCallBack(agentId: string, destination: string, occurredAt: string): string | null {
    const pending = this.state.callBacks.get(agentId);
    if (!pending) return null;
    const age = Date.parse(occurredAt) - pending.at;
    if (age < -CALL_BACK_WINDOW_MS || age > CALL_BACK_WINDOW_MS) {
      this.state.dropCallBack(agentId);
      return null;
    }
    if (pending.number !== dialledDigits(destination)) return null;
    this.state.dropCallBack(agentId);
    return pending.callId;
  }

  private react(event: RecordedEvent): Promise<unknown> | undefined {
    if (event.type === 'TelnyxWebhookReceived') return this.onWebhook(event);
    if (!event.streamId.startsWith(CALL_STREAM_PREFIX) || event.type === 'TelnyxWebhookLinked') return undefined;
    const callEvent = { type: event.type, data: event.data } as CallEvent;
    const work: Array<Promise<unknown>> = [];
    for (const followUp of agentFollowUps(callEvent, event.id, this.state.config)) {
      work.push(this.inAgentOrder(followUp.streamId, () => this.withRetry(`${followUp.command.type} for ${followUp.command.data.agentId}`, () => this.agent(followUp.streamId, followUp.command))));
    }
    if (callEvent.type === 'CallTransferRequested' && callEvent.data.kind === 'warm' && callEvent.data.target.kind === 'agent') work.push(this.consult(callEvent));
    if (work.length === 0) return undefined;
    return Promise.all(work);
  }

  private onWebhook(event: RecordedEvent): Promise<unknown> | undefined {
    const webhook = event.data as TelnyxWebhookData;
    this.clock.observe(webhook.occurredAt);
    const callId = owningCallId(webhook);
    if (!callId) return undefined;
    const payload = webhook.payload;
    const ours = decodeClientState(payload.client_state) !== undefined;
    let originatingAgentId: string | null = null;
    if (webhook.eventType === 'call.initiated' && payload.direction === 'outgoing' && !ours) {
      const sipUsername = sipUsernameOf(payload.from_sip_uri ?? payload.from);
      originatingAgentId = sipUsername ? (agentBySipUsername(this.state.view, sipUsername) ?? null) : null;
    }
    const callBackOf = originatingAgentId ? this.takeCallBack(originatingAgentId, payload.to ?? '', webhook.occurredAt) : null;
    const handled = this.withRetry(`webhook ${webhook.eventType}`, () =>
      this.call(callId, {
        type: 'HandleWebhook',
        data: { webhook, originatingAgentId, ...(callBackOf ? { callBackOf } : {}) },
        metadata: { now: webhook.occurredAt, commandId: `webhook:${webhook.webhookId}`, actor: 'reactor', correlationId: callId, causationId: event.id },
      }),
    );
    if (webhook.eventType === 'call.initiated' && payload.direction === 'incoming' && !ours && payload.from) {
      return Promise.all([handled, this.identifyCaller(callId, payload.from, webhook.webhookId, event.id)]);
    }
    return handled;
  }

  // ---------------------------------------------------------------- handling commands

  private meta(commandId: string, correlationId: string, causationId?: string): CommandMetadata {
    return { now: nowIso(this.clock), commandId, actor: 'reactor', correlationId, causationId: causationId ?? commandId };
  }

  private call(callId: string, command: CallCommand) {
    return handleCallCommand(this.writer, () => this.state.config, callId, command);
  }

  /**
   * Runs an agent stream's follow-ups one after another, retries included: a StartCall waiting out a store
   * outage must not let the same call's EndCall go first.
   */
  private inAgentOrder<T>(streamId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.agentFollowUpChains.get(streamId) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.agentFollowUpChains.set(streamId, next);
    const forget = (): void => {
      if (this.agentFollowUpChains.get(streamId) === next) this.agentFollowUpChains.delete(streamId);
    };
    next.then(forget, forget);
    return next;
  }

  private agent(streamId: string, command: AgentCommand) {
    return handleAgentCommand(this.writer, streamId, command);
  }

  /** Runs a decision, retrying while the store is unavailable; a refused decision is logged, not retried. Resolves to undefined when refused. */
  private async withRetry<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await task();
      } catch (error) {
        if (refused(error)) {
          this.logger.debug({ what, err: error }, 'decision refused');
          return undefined;
        }
        if (!(error instanceof UnavailableError) && !(error instanceof WrongExpectedVersionError)) {
          this.logger.error({ what, err: error }, 'decision failed');
          return undefined;
        }
        if (this.stopping || !this.mayAct()) return undefined;
        this.logger.warn({ what, attempt, err: error }, 'store unavailable; retrying');
        await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
      }
    }
  }

  /**
   * Outcomes are recorded in one append per call per turn of the event loop: under load a call's outcomes
   * pile up, and one append each would queue them in front of the call's next decision.
   */
  private recordOutcome(command: PendingCommand, outcome: CommandOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let batch = this.outcomeBatches.get(command.callId);
      if (!batch) this.outcomeBatches.set(command.callId, (batch = []));
      batch.push({ command, outcome, resolve, reject });
      if (this.outcomeFlush) return;
      this.outcomeFlush = setImmediate(() => {
        this.outcomeFlush = undefined;
        const batches = [...this.outcomeBatches];
        this.outcomeBatches.clear();
        for (const [callId, items] of batches) {
          const config = this.state.config;
          this.writer
            .handleBatch(
              callFold,
              callStreamId(callId),
              items.map(({ command: c, outcome: o }) => {
                const recordCommand: CallCommand = {
                  type: 'RecordCommandOutcome',
                  data: { commandId: c.commandId, action: c.command.action, ...(o.ok ? { ok: true, result: o.result } : { ok: false, error: o.error }) },
                  metadata: this.meta(deterministicId('command-outcome', c.commandId), callId, c.commandId),
                };
                return {
                  decide: (state: CallState) => decideCall(config, recordCommand, state, callId),
                  metadata: { correlationId: callId, causationId: c.commandId, actor: 'reactor' },
                };
              }),
            )
            .then(
              () => items.forEach((i) => i.resolve()),
              (error: unknown) => items.forEach((i) => i.reject(error)),
            );
        }
      });
    });
  }

  private track<T>(set: Set<Promise<unknown>>, work: Promise<T>): Promise<T> {
    set.add(work);
    void work.finally(() => set.delete(work)).catch(() => undefined);
    return work;
  }

  // ---------------------------------------------------------------- caller lookup

  private async identifyCaller(callId: string, number: string, webhookId: string, causationId: string): Promise<void> {
    const timeoutMs = this.options.crmTimeoutMs ?? 1500;
    const signal = AbortSignal.timeout(timeoutMs);
    const bounded = <T>(promise: Promise<T>, fallback: T): Promise<T> =>
      Promise.race([
        promise.catch((error: unknown) => {
          this.logger.warn({ callId, err: error }, 'caller lookup failed; the caller is recorded as unknown');
          return fallback;
        }),
        new Promise<T>((resolve) => signal.addEventListener('abort', () => resolve(fallback), { once: true })),
      ]);
    const crm = this.options.crm;
    const [contact, previousCalls] = await Promise.all([
      crm ? bounded<CrmContact | null>(crm.findByPhoneNumber(number, { signal }), null) : Promise.resolve(null),
      this.options.previousCalls ? bounded<PreviousCall[]>(this.options.previousCalls(number, signal).then((calls) => calls.filter((c) => c.callId !== callId).slice(0, 5)), []) : Promise.resolve([]),
    ]);
    await this.withRetry(`caller identity of ${callId}`, () =>
      this.call(callId, { type: 'RecordCallerIdentity', data: { number, contact, previousCalls }, metadata: this.meta(deterministicId('caller-identity', webhookId), callId, causationId) }),
    );
  }

  // ---------------------------------------------------------------- timers

  private fireTimer(entry: Scheduled<PendingTimer>): void {
    const timer = entry.value;
    const work = this.track(this.timerWork, this.runTimer(timer)).then((done) => {
      if (done) this.state.timerDone(timer.id);
      else if (!this.stopping) this.scheduler.add({ id: timer.id, atMs: this.clock.now() + 1000, value: timer });
    });
    void work;
  }

  /** Handles a due timer's command; false when it must be tried again. */
  private async runTimer(timer: Timer & { id: string }): Promise<boolean> {
    const at = Math.max(Date.parse(timer.at), this.clock.now());
    const metadata: CommandMetadata = { now: new Date(at).toISOString(), commandId: timer.id, actor: 'reactor', causationId: timer.id };
    try {
      if (timer.kind === 'agent') {
        await this.agent(timer.streamId, { ...timer.command, metadata: { ...metadata, correlationId: timer.command.data.agentId } } as AgentCommand);
        return true;
      }
      const callId = timer.streamId.slice(CALL_STREAM_PREFIX.length);
      let command = { ...timer.command, metadata: { ...metadata, correlationId: callId } } as CallCommand;
      if (command.type === 'CheckQueueTimers') command = { ...command, data: this.positionOf(callId) };
      await this.call(callId, command);
      return true;
    } catch (error) {
      if (refused(error)) return true;
      this.logger.warn({ timer: timer.command.type, streamId: timer.streamId, err: error }, 'timer failed; trying again');
      return false;
    }
  }

  private positionOf(callId: string): { position?: number; ewtSeconds?: number } {
    const view = this.state.view;
    const waiting = view.waiting[callId];
    const position = queuePosition(view, callId);
    if (!waiting || position === undefined) return {};
    return { position, ewtSeconds: estimatedWaitSeconds({ position, ahtSeconds: this.averageHandleSeconds, agentsServing: agentsServing(view, waiting.queueId) }) };
  }

  // ---------------------------------------------------------------- routing

  private requestPass(): void {
    if (!this.caughtUp || this.stopping) return;
    if (this.passRunning) {
      this.passAgain = true;
      return;
    }
    if (this.passScheduled) return;
    this.passScheduled = true;
    setImmediate(() => {
      this.passScheduled = false;
      this.runPass();
    });
  }

  private runPass(): void {
    if (!this.caughtUp || this.stopping || !this.mayAct()) return;
    this.passRunning = true;
    try {
      const view = this.state.view;
      if (Object.keys(view.waiting).length === 0) return;
      const now = nowIso(this.clock);
      const snapshot = routingSnapshot(view, now);
      const waitingCalls = this.claimedCalls.size > 0 ? snapshot.waitingCalls.filter((c) => !this.claimedCalls.has(c.callId)) : snapshot.waitingCalls;
      // Agents being reserved by an offer in flight, and agents whose device still has a leg up (a late
      // hangup, a leg that outlived its offer), are busy whatever their stream says.
      const devicesBusy = this.state.agentsWithLiveLegs(this.clock.now());
      const agents = snapshot.agents.map((a) =>
        a.activity === 'Idle' && (this.claimedAgents.has(a.agentId) || devicesBusy.has(a.agentId)) ? { ...a, activity: this.claimedAgents.has(a.agentId) ? ('Reserved' as const) : ('OnCall' as const) } : a,
      );
      const reasons = this.state.waitingReasons;
      const decisions = route({ ...snapshot, waitingCalls, agents }, { explainWaiting: (call, reason) => reason !== (reasons.get(call.callId) ?? null) });
      let wake = Number.POSITIVE_INFINITY;
      for (const call of waitingCalls) {
        for (const excluded of call.excludedAgents) {
          const until = Date.parse(excluded.until);
          if (excluded.until > now && until < wake) wake = until;
        }
      }
      for (const decision of decisions) {
        if (decision.chosen.length > 0) this.offer(decision, now);
        else if (decision.waitingReason !== undefined && decision.waitingReason !== (reasons.get(decision.callId) ?? null)) this.recordWaiting(decision, now);
      }
      this.wakeForRouting(wake);
    } catch (error) {
      this.logger.error({ err: error }, 'routing pass failed');
    } finally {
      this.passRunning = false;
      if (this.passAgain) {
        this.passAgain = false;
        this.requestPass();
      }
    }
  }

  /** A declined agent may be offered the call again at `atMs`: pass again then. */
  private wakeForRouting(atMs: number): void {
    if (!Number.isFinite(atMs) || atMs >= this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = atMs;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Number.POSITIVE_INFINITY;
        this.requestPass();
      },
      Math.max(0, Math.ceil(this.clock.realDelay(atMs - this.clock.now()))) + 1,
    );
    this.wakeTimer.unref();
  }

  private recordWaiting(decision: RoutingDecision, now: string): void {
    const callId = decision.callId;
    this.state.noteWaitingReason(callId, decision.waitingReason ?? null);
    const work = this.withRetry(`waiting reason of ${callId}`, async () => {
      const result = await this.call(callId, { type: 'RecordRoutingDecision', data: { decision }, metadata: { ...this.meta(decision.decisionId, callId), now } });
      if (result.events.length === 0 && result.state.status !== 'New') this.state.noteWaitingReason(callId, result.state.entry?.lastWaitingReason ?? null);
    });
    this.track(this.background, work);
  }

  /** Records the decision, reserves each chosen agent on its own stream, then offers the call to those reserved. */
  private offer(decision: RoutingDecision, now: string): void {
    const { callId, chosen } = decision;
    this.claimedCalls.add(callId);
    for (const agentId of chosen) this.claimedAgents.add(agentId);
    const work = this.offerChain(decision, now).then(
      (position) => this.scheduleRelease(position, callId, chosen),
      (error: unknown) => {
        this.logger.error({ callId, err: error }, 'offer failed');
        this.scheduleRelease(undefined, callId, chosen);
      },
    );
    this.track(this.background, work);
  }

  private scheduleRelease(position: bigint | undefined, callId: string, agentIds: string[]): void {
    if (position === undefined || position <= this.state.foldedThrough) {
      this.claimedCalls.delete(callId);
      for (const agentId of agentIds) this.claimedAgents.delete(agentId);
      this.requestPass();
      return;
    }
    this.claimReleases.push({ position, callId, agentIds });
  }

  private releaseClaims(position: bigint): void {
    if (this.claimReleases.length === 0) return;
    let released = false;
    for (let i = this.claimReleases.length - 1; i >= 0; i--) {
      const release = this.claimReleases[i];
      if (release.position > position) continue;
      this.claimReleases.splice(i, 1);
      this.claimedCalls.delete(release.callId);
      for (const agentId of release.agentIds) this.claimedAgents.delete(agentId);
      released = true;
    }
    if (released) this.requestPass();
  }

  private async offerChain(decision: RoutingDecision, now: string): Promise<bigint | undefined> {
    const { callId } = decision;
    const view = this.state.view;
    const purpose = view.waiting[callId]?.kind === 'callback' ? 'callback' : 'queue';
    const offerId = deterministicId('offer', decision.decisionId);
    const settings = this.state.config.settings;
    if (!settings) return undefined;
    const expiresAt = reservationDeadline(now, this.state.config.queues[decision.queueId], settings);
    // The decision and the reservations are appended side by side (one durable write instead of two in a
    // row); both are in the store before the offer, and so before any dial.
    const recording = this.withRetry(`routing decision for ${callId}`, () =>
      this.call(callId, { type: 'RecordRoutingDecision', data: { decision }, metadata: { ...this.meta(decision.decisionId, callId), now } }),
    );
    let last: bigint | undefined;
    const reserving = Promise.all(
      decision.chosen.map(async (agentId) => {
        const sipUsername = this.state.view.agents[agentId]?.device?.sipUsername;
        if (!sipUsername) return null;
        const result = await this.withRetry(`reserve ${agentId}`, () =>
          this.agent(agentStreamId(agentId), {
            type: 'ReserveAgent',
            data: { agentId, offerId, callId, queueId: decision.queueId, purpose, expiresAt },
            metadata: { ...this.meta(deterministicId('reserve', offerId, agentId), callId, decision.decisionId), now },
          }),
        );
        if (!result) return null;
        if (result.position !== undefined && (last === undefined || result.position > last)) last = result.position;
        return { agentId, sipUsername };
      }),
    );
    const [recorded, reserved] = await Promise.all([recording, reserving]);
    const agents = reserved.filter((a): a is { agentId: string; sipUsername: string } => a !== null);
    if (recorded?.position !== undefined && (last === undefined || recorded.position > last)) last = recorded.position;
    if (!recorded || recorded.events.length === 0) {
      // The call moved on (or there is nothing new to say about it): give the agents back.
      await Promise.all(
        agents.map(({ agentId }) =>
          this.withRetry(`release ${agentId}`, () =>
            this.agent(agentStreamId(agentId), {
              type: 'ReleaseReservation',
              data: { agentId, offerId, reason: 'cancelled' },
              metadata: { ...this.meta(deterministicId('release', offerId, agentId), callId, decision.decisionId), now },
            }),
          ),
        ),
      );
      return last;
    }
    if (agents.length === 0) return last;
    const offered = await this.withRetry(`offer ${callId}`, () =>
      this.call(callId, {
        type: 'OfferCall',
        data: { offerId, purpose, strategy: decision.strategy, agents, decisionId: decision.decisionId },
        metadata: { ...this.meta(deterministicId('offer-call', offerId), callId, decision.decisionId), now },
      }),
    );
    if (offered?.position !== undefined && (last === undefined || offered.position > last)) last = offered.position;
    return last;
  }

  /** Warm transfer to an agent: reserve the target (consult), then offer; a refused reservation cancels the transfer. */
  private async consult(event: CallTransferRequested): Promise<void> {
    const { callId, transferId, target } = event.data;
    if (target.kind !== 'agent') return;
    const pendingTransfer = async (): Promise<boolean> => {
      const { state } = await this.writer.read(callFold, callStreamId(callId));
      return state.status === 'Connected' && state.transfer?.transferId === transferId && state.transfer.consultOfferId === null;
    };
    await this.withRetry(`consult ${target.agentId} for ${callId}`, async () => {
      if (!(await pendingTransfer())) return;
      const settings = this.state.config.settings;
      const now = nowIso(this.clock);
      const offerId = deterministicId('consult', transferId);
      const sipUsername = this.state.view.agents[target.agentId]?.device?.sipUsername;
      const { state } = await this.writer.read(callFold, callStreamId(callId));
      const queueId = state.status === 'New' ? null : state.queueId;
      let refusal: string | null = settings ? null : 'the contact center settings are not configured';
      if (!refusal && !sipUsername) refusal = `agent ${target.agentId} has no registered device`;
      if (!refusal && settings) {
        try {
          await this.agent(agentStreamId(target.agentId), {
            type: 'ReserveAgent',
            data: { agentId: target.agentId, offerId, callId, queueId, purpose: 'consult', expiresAt: reservationDeadline(now, queueId ? this.state.config.queues[queueId] : undefined, settings) },
            metadata: this.meta(deterministicId('reserve', offerId, target.agentId), callId, transferId),
          });
        } catch (error) {
          if (!(error instanceof IllegalStateError)) throw error;
          refusal = error.message;
        }
      }
      if (refusal !== null) {
        if (await pendingTransfer()) {
          await this.call(callId, { type: 'CancelTransfer', data: { reason: `agent ${target.agentId} cannot take the transfer: ${refusal}` }, metadata: this.meta(deterministicId('cancel-consult', transferId), callId, transferId) });
        }
        return;
      }
      await this.call(callId, {
        type: 'OfferCall',
        data: { offerId, purpose: 'consult', strategy: 'targeted', agents: [{ agentId: target.agentId, sipUsername: sipUsername ?? '' }], transferId },
        metadata: this.meta(deterministicId('offer-call', offerId), callId, transferId),
      });
    });
  }
}


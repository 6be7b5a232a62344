import { performance } from 'node:perf_hooks';
import type { CallState, Leg } from '../calls/callState';
import type { TelnyxCommand } from '../calls/telnyxCommands';
import { decodeClientState, type TelnyxWebhookData } from '../calls/webhook';
import { LegGoneError, NotFoundError, TelnyxCommandError, UnavailableError, type TelnyxErrorDetails } from '../core/errors';
import type { Logger } from '../core/logger';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { ReactorClock } from './clock';
import type { PendingCommand } from './reactorState';

/** What RecordCommandOutcome records. */
export type CommandOutcome =
  | { ok: true; result: { callControlId?: string; callLegId?: string; callSessionId?: string; recordingId?: string } }
  | { ok: false; error: { status: number | null; code: string | null; title: string } };

/** Telnyx ignores a repeated command_id on the same leg for this long after the first (telnyx.md §3). */
export const TELNYX_COMMAND_ID_WINDOW_MS = 60_000;

export interface DispatcherOptions {
  telnyx: TelnyxPort;
  clock: ReactorClock;
  logger: Logger;
  /** Appends RecordCommandOutcome on the call; rejects only when the store cannot be written. */
  recordOutcome(command: PendingCommand, outcome: CommandOutcome): Promise<void>;
  /** The call's latest state, to reconcile a command too old to resend blindly. */
  callState(callId: string): Promise<CallState>;
  /** The webhooks stored for the call (and copied to it), to see whether a command may have run already. */
  callWebhooks?(callId: string): Promise<TelnyxWebhookData[]>;
  /** Telephony time during which a repeat of a command_id is ignored (Telnyx: 60 s). */
  windowMs?: number;
  /** Telephony time kept in hand before the window closes: a resend must reach Telnyx inside it. */
  windowMarginMs?: number;
  /** False once this process may no longer act (its lease is gone): nothing more is sent. */
  canSend(): boolean;
  /** Real milliseconds between attempts while Telnyx is unavailable. */
  retryDelaysMs?: readonly number[];
  onSent?(command: PendingCommand, sentAt: number): void;
}

interface CallQueue {
  items: PendingCommand[];
  running: boolean;
}

const SETTLED_KEPT = 100_000;

const byRevision = (a: PendingCommand, b: PendingCommand): number => {
  const ra = BigInt(a.revision);
  const rb = BigInt(b.revision);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
};

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

const failure = (status: number | null, code: string | null, title: string): CommandOutcome => ({ ok: false, error: { status, code, title } });

const details = (error: unknown): TelnyxErrorDetails | undefined => (error as { details?: TelnyxErrorDetails }).details;

/** A refusal to record as the command's outcome; undefined for errors worth retrying. */
export const outcomeOfError = (error: unknown): CommandOutcome | undefined => {
  if (error instanceof UnavailableError) return undefined;
  const d = details(error);
  if (error instanceof LegGoneError) return failure(d?.status ?? 422, '90018', d?.title ?? 'Call has already ended');
  if (error instanceof TelnyxCommandError) return failure(d?.status ?? null, d?.telnyxCode ?? null, d?.title ?? error.message);
  if (error instanceof NotFoundError) return failure(d?.status ?? 404, d?.telnyxCode ?? null, d?.title ?? error.message);
  if (error instanceof Error) return failure(null, (error as { code?: string }).code ?? null, error.message);
  return failure(null, null, String(error));
};

/** The leg a dial created, if its webhooks have been folded into the call: same client_state, seen after the request. */
export const legOfDial = (state: CallState, command: PendingCommand): Leg | undefined => {
  if (command.command.action !== 'dial') return undefined;
  const wanted = decodeClientState(command.command.params.client_state);
  if (!wanted) return undefined;
  return Object.values(state.legs).find(
    (leg) =>
      leg.role === wanted.role &&
      leg.agentId === (wanted.agentId ?? null) &&
      leg.offerId === (wanted.offerId ?? null) &&
      leg.supervisorId === (wanted.supervisorId ?? null) &&
      leg.transferId === (wanted.transferId ?? null) &&
      (leg.initiatedAt ?? leg.lastEventAt) >= command.requestedAt,
  );
};

/**
 * What the call's webhooks already show of a command that may have been sent before (by an earlier process):
 * its effect (the outcome can be recorded without sending it again), or its leg gone (it cannot run any more).
 * Undefined when only Telnyx knows.
 */
export const evidenceOf = (state: CallState, command: PendingCommand): CommandOutcome | undefined => {
  const action = command.command.action;
  if (action === 'dial') {
    const leg = legOfDial(state, command);
    return leg ? { ok: true, result: { callControlId: leg.callControlId, ...(leg.callLegId ? { callLegId: leg.callLegId } : {}) } } : undefined;
  }
  const leg = command.callControlId ? state.legs[command.callControlId] : undefined;
  if (!leg) return undefined;
  if (action === 'hangup' && leg.status === 'ended') return { ok: true, result: {} };
  if (action === 'answer' && leg.status !== 'initiated') return { ok: true, result: {} };
  if (leg.status === 'ended') return failure(422, '90018', 'Call has already ended (seen in its webhooks)');
  return undefined;
};

/** The webhook a command's effect produces on its leg, for the commands whose effect shows in one. */
const EFFECT_WEBHOOKS: Partial<Record<TelnyxCommand['action'], (webhook: TelnyxWebhookData) => boolean>> = {
  speak: (w) => w.eventType === 'call.speak.started',
  playback_start: (w) => w.eventType === 'call.playback.started',
  gather_using_speak: (w) => w.eventType === 'call.gather.ended' || w.eventType === 'call.dtmf.received',
  gather: (w) => w.eventType === 'call.gather.ended' || w.eventType === 'call.dtmf.received',
  enqueue: (w) => w.eventType === 'call.enqueued',
  leave_queue: (w) => w.eventType === 'call.dequeued' && w.payload.reason === 'leave',
  bridge: (w) => w.eventType === 'call.bridged',
  record_stop: (w) => w.eventType === 'call.recording.saved',
};

/** A webhook of the command's leg, after the command was requested, that only the command's effect explains. */
export const effectSeen = (webhooks: readonly TelnyxWebhookData[], command: PendingCommand): boolean => {
  const matches = EFFECT_WEBHOOKS[command.command.action];
  if (!matches || command.callControlId === null) return false;
  return webhooks.some((w) => (w.callControlId ?? w.payload.call_control_id) === command.callControlId && w.occurredAt >= command.requestedAt && matches(w));
};

/**
 * Sends the Telnyx commands the call streams request: per call one at a time in stream order, calls in
 * parallel, each with its deterministic command_id, and records every outcome on the call. Telnyx
 * unavailable: the same command_id is retried while Telnyx would still drop a repeat; a command older than
 * that (after a restart, or a long outage) is reconciled from the leg's state instead of resent blindly.
 */
export class CommandDispatcher {
  private readonly queues = new Map<string, CallQueue>();
  private readonly known = new Set<string>();
  private readonly settled = new Set<string>();
  /** Commands requested while this dispatcher was running: nobody can have sent them before. */
  private readonly fresh = new Set<string>();
  private running = false;
  private readonly inflight = new Set<Promise<void>>();
  private paused = true;
  private stopped = false;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly retryDelaysMs: readonly number[];
  readonly counters = { sent: 0, accepted: 0, failed: 0, retried: 0, reconciled: 0, resentWhenReconciling: 0, settledFromWebhooks: 0 };

  constructor(private readonly options: DispatcherOptions) {
    this.windowMs = options.windowMs ?? TELNYX_COMMAND_ID_WINDOW_MS;
    this.marginMs = options.windowMarginMs ?? Math.min(5_000, this.windowMs / 10);
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 500, 1000, 2000, 5000];
  }

  /** A requested command: queued behind the call's earlier commands unless it is known already. */
  offer(command: PendingCommand): void {
    if (this.stopped || this.known.has(command.commandId) || this.settled.has(command.commandId)) return;
    this.known.add(command.commandId);
    if (this.running) this.fresh.add(command.commandId);
    let queue = this.queues.get(command.callId);
    if (!queue) this.queues.set(command.callId, (queue = { items: [], running: false }));
    const items = queue.items;
    let i = items.length;
    while (i > 0 && byRevision(items[i - 1], command) > 0) i--;
    items.splice(i, 0, command);
    this.kick(command.callId, queue);
  }

  /** The outcome is recorded on the call: nothing more to do for it. */
  settle(commandId: string): void {
    this.known.delete(commandId);
    this.fresh.delete(commandId);
    this.markSettled(commandId);
  }

  /** Whether the command is waiting or being sent. */
  isPending(commandId: string): boolean {
    return this.known.has(commandId) && !this.settled.has(commandId);
  }

  pause(): void {
    this.paused = true;
  }

  /** Starts sending. Whatever was offered before the first resume may have been sent by an earlier process. */
  resume(): void {
    if (this.stopped) return;
    this.paused = false;
    this.running = true;
    for (const [callId, queue] of this.queues) this.kick(callId, queue);
  }

  get queued(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.items.length;
    return n;
  }

  /** Resolves when nothing is queued or being sent or recorded. */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.queues.values()].some((q) => q.running || (q.items.length > 0 && !this.paused));
      if (!busy && this.inflight.size === 0) return;
      await Promise.all([...this.inflight]);
      await sleep(5);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.paused = true;
    for (;;) {
      const running = [...this.queues.values()].some((q) => q.running);
      if (!running && this.inflight.size === 0) return;
      await Promise.all([...this.inflight]);
      await sleep(5);
    }
  }

  private mayAct(): boolean {
    if (!this.paused && !this.options.canSend()) this.paused = true;
    return !this.paused;
  }

  private markSettled(commandId: string): void {
    this.settled.add(commandId);
    if (this.settled.size > SETTLED_KEPT) {
      const oldest = this.settled.values().next();
      if (!oldest.done) this.settled.delete(oldest.value);
    }
  }

  private kick(callId: string, queue: CallQueue): void {
    if (this.paused || queue.running || queue.items.length === 0) return;
    queue.running = true;
    const run = this.drain(callId, queue);
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }

  private async drain(callId: string, queue: CallQueue): Promise<void> {
    try {
      while (!this.paused && queue.items.length > 0) {
        const command = queue.items[0];
        if (!this.settled.has(command.commandId)) {
          const done = await this.process(command);
          if (!done) return;
        }
        const at = queue.items.indexOf(command);
        if (at >= 0) queue.items.splice(at, 1);
      }
    } finally {
      queue.running = false;
      if (queue.items.length === 0) this.queues.delete(callId);
      else if (!this.paused) this.kick(callId, queue);
    }
  }

  /**
   * Sends (or reconciles) one command and records its outcome; false when it must wait (paused, lease gone).
   * A command nobody sent yet is sent however late. Once it may have reached Telnyx (an earlier process, or an
   * attempt that got no answer), a repeat is only safe inside Telnyx's command_id window, counted from the
   * first possible send.
   */
  private async process(command: PendingCommand): Promise<boolean> {
    const { clock, logger } = this.options;
    const inherited = !this.fresh.has(command.commandId);
    let firstSend: number | undefined;
    if (inherited) {
      firstSend = Date.parse(command.requestedAt);
      const known = await this.knownEffect(command);
      if (known === false) return false;
      if (known) {
        this.counters.settledFromWebhooks += 1;
        this.finish(command, known);
        return true;
      }
    }
    for (let attempt = 0; ; attempt++) {
      if (!this.mayAct()) return false;
      if (firstSend !== undefined && clock.now() - firstSend >= this.windowMs - this.marginMs) return this.reconcile(command);
      firstSend ??= clock.now();
      let outcome: CommandOutcome | undefined;
      try {
        outcome = await this.send(command);
      } catch (error) {
        outcome = outcomeOfError(error);
        if (!outcome) {
          this.counters.retried += 1;
          logger.warn({ commandId: command.commandId, callId: command.callId, action: command.command.action, attempt, err: error }, 'Telnyx unavailable; retrying the command with the same command_id');
          await sleep(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)]);
          continue;
        }
      }
      this.finish(command, outcome);
      return true;
    }
  }

  /** The evidence for a command that may have been sent before; false when the call cannot be read now (try later). */
  private async knownEffect(command: PendingCommand): Promise<CommandOutcome | undefined | false> {
    for (let attempt = 0; ; attempt++) {
      if (!this.mayAct()) return false;
      try {
        const known = evidenceOf(await this.options.callState(command.callId), command);
        if (known || !this.options.callWebhooks) return known;
        return effectSeen(await this.options.callWebhooks(command.callId), command) ? { ok: true, result: {} } : undefined;
      } catch (error) {
        this.options.logger.warn({ commandId: command.commandId, callId: command.callId, attempt, err: error }, 'could not read the call to check a command; retrying');
        await sleep(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)]);
      }
    }
  }

  private async send(command: PendingCommand): Promise<CommandOutcome> {
    const { telnyx } = this.options;
    const started = performance.now();
    this.counters.sent += 1;
    const sending = this.request(telnyx, command.command, command.callControlId, command.commandId);
    this.options.onSent?.(command, started);
    return sending;
  }

  private async request(telnyx: TelnyxPort, command: TelnyxCommand, callControlId: string | null, commandId: string): Promise<CommandOutcome> {
    if (command.action === 'dial') {
      const dialled = await telnyx.dial(command.params, commandId);
      return { ok: true, result: { callControlId: dialled.call_control_id, callLegId: dialled.call_leg_id, callSessionId: dialled.call_session_id } };
    }
    if (callControlId === null) return failure(null, 'VALIDATION', `${command.action} needs a call_control_id`);
    const answer = await telnyx.command(callControlId, command, commandId);
    return { ok: true, result: answer.recording_id ? { recordingId: answer.recording_id } : {} };
  }

  /**
   * Too old to resend blindly (Telnyx would run a repeat as a new command). A dial is confirmed by its
   * leg's webhooks or given up; any other command is settled by the leg's state: an ended leg fails the
   * command, a live one gets it again (or counts it done when the webhooks already show its effect).
   */
  private async reconcile(command: PendingCommand): Promise<boolean> {
    const { telnyx, logger } = this.options;
    this.counters.reconciled += 1;
    for (let attempt = 0; ; attempt++) {
      if (!this.mayAct()) return false;
      try {
        const state = await this.options.callState(command.callId);
        const action = command.command.action;
        const known = evidenceOf(state, command);
        if (known) {
          this.finish(command, known);
          return true;
        }
        if (action === 'dial') {
          this.finish(command, failure(null, 'unconfirmed', 'no leg of this dial appeared within the command_id window'));
          return true;
        }
        if (command.callControlId === null) {
          this.finish(command, failure(null, 'VALIDATION', `${action} needs a call_control_id`));
          return true;
        }
        let alive: boolean;
        try {
          alive = (await telnyx.retrieveCall(command.callControlId)).is_alive;
        } catch (error) {
          if (error instanceof NotFoundError || error instanceof LegGoneError) alive = false;
          else throw error;
        }
        if (!alive) {
          this.finish(command, failure(422, '90018', 'Call has already ended (found when reconciling)'));
          return true;
        }
        logger.info({ commandId: command.commandId, callId: command.callId, action }, 'resending a command whose outcome was never recorded');
        this.counters.resentWhenReconciling += 1;
        let outcome: CommandOutcome | undefined;
        try {
          outcome = await this.send(command);
        } catch (error) {
          outcome = outcomeOfError(error);
          if (!outcome) throw error;
        }
        this.finish(command, outcome);
        return true;
      } catch (error) {
        logger.warn({ commandId: command.commandId, callId: command.callId, attempt, err: error }, 'could not reconcile a command yet; retrying');
        await sleep(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)]);
      }
    }
  }

  private finish(command: PendingCommand, outcome: CommandOutcome): void {
    this.fresh.delete(command.commandId);
    if (outcome.ok) this.counters.accepted += 1;
    else this.counters.failed += 1;
    this.markSettled(command.commandId);
    const record = this.recordWithRetry(command, outcome);
    this.inflight.add(record);
    void record.finally(() => this.inflight.delete(record));
  }

  private async recordWithRetry(command: PendingCommand, outcome: CommandOutcome): Promise<void> {
    for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
      try {
        await this.options.recordOutcome(command, outcome);
        return;
      } catch (error) {
        this.options.logger.warn({ commandId: command.commandId, callId: command.callId, attempt, err: error }, 'could not record a command outcome; retrying');
        await sleep(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)]);
      }
    }
  }
}

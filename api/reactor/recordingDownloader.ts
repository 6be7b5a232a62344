import { NotFoundError, TelnyxCommandError, UnavailableError, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { RecordingStore, StoredRecording } from '../recordings/recordingStore';
import type { ReactorClock } from './clock';
import type { PendingDownload } from './reactorState';

/** Telnyx's signed recording URLs stop working 10 minutes after they are issued. */
export const RECORDING_URL_LIFETIME_MS = 10 * 60_000;

export interface DownloaderOptions {
  telnyx: TelnyxPort;
  store: RecordingStore;
  clock: ReactorClock;
  logger: Logger;
  recordStored(download: PendingDownload, stored: StoredRecording): Promise<void>;
  recordFailed(download: PendingDownload, error: string): Promise<void>;
  canAct(): boolean;
  /** Downloads at once. */
  concurrency?: number;
  retryDelaysMs?: readonly number[];
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Copies each saved recording into the recording store as soon as Telnyx announces it, and records where it
 * is. A failed download is retried while the signed URL can still work; a refused or expired URL is final.
 */
export class RecordingDownloader {
  private readonly queue: PendingDownload[] = [];
  private readonly known = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private active = 0;
  private paused = true;
  private stopped = false;
  private readonly concurrency: number;
  private readonly retryDelaysMs: readonly number[];
  readonly counters = { stored: 0, failed: 0, retried: 0 };

  constructor(private readonly options: DownloaderOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.retryDelaysMs = options.retryDelaysMs ?? [250, 1000, 2000, 5000];
  }

  request(download: PendingDownload): void {
    if (this.stopped || this.known.has(download.recordingId)) return;
    this.known.add(download.recordingId);
    this.queue.push(download);
    this.pump();
  }

  settle(recordingId: string): void {
    this.known.delete(recordingId);
  }

  resume(): void {
    if (this.stopped) return;
    this.paused = false;
    this.pump();
  }

  pause(): void {
    this.paused = true;
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0 || (this.queue.length > 0 && !this.paused)) {
      await Promise.all([...this.inflight]);
      if (this.inflight.size === 0 && this.queue.length > 0 && !this.paused) this.pump();
      await sleep(5);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.paused = true;
    await Promise.all([...this.inflight]);
  }

  private pump(): void {
    while (!this.paused && this.active < this.concurrency && this.queue.length > 0) {
      const download = this.queue.shift();
      if (!download) break;
      this.active += 1;
      const job = this.run(download)
        .catch((error: unknown) => this.options.logger.error({ recordingId: download.recordingId, callId: download.callId, err: error }, 'could not record the download result'))
        .finally(() => {
          this.active -= 1;
          this.inflight.delete(job);
          this.pump();
        });
      this.inflight.add(job);
    }
  }

  private async run(download: PendingDownload): Promise<void> {
    const { telnyx, store, clock, logger } = this.options;
    const validUntil = Date.parse(download.requestedAt) + RECORDING_URL_LIFETIME_MS;
    let lastError = 'no recording URL was given';
    for (let attempt = 0; download.url !== null; attempt++) {
      if (this.stopped || !this.options.canAct()) {
        this.known.delete(download.recordingId);
        return;
      }
      try {
        const opened = await telnyx.openRecording(download.url);
        const stored = await store.put({
          callId: download.callId,
          recordingId: download.recordingId,
          kind: download.kind,
          body: opened.stream,
          contentType: opened.contentType,
          extension: download.extension,
        });
        this.counters.stored += 1;
        logger.info({ recordingId: download.recordingId, callId: download.callId, location: stored.location, bytes: stored.sizeBytes }, 'recording stored');
        await this.options.recordStored(download, stored);
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        const final = error instanceof TelnyxCommandError || error instanceof NotFoundError || error instanceof ValidationError;
        const expired = clock.now() >= validUntil;
        if (final || expired || !(error instanceof UnavailableError)) break;
        this.counters.retried += 1;
        logger.warn({ recordingId: download.recordingId, callId: download.callId, attempt, err: error }, 'recording download failed; retrying while the URL is valid');
        await sleep(this.retryDelaysMs[Math.min(attempt, this.retryDelaysMs.length - 1)]);
      }
    }
    this.counters.failed += 1;
    logger.error({ recordingId: download.recordingId, callId: download.callId, error: lastError }, 'recording could not be downloaded');
    await this.options.recordFailed(download, lastError);
  }
}

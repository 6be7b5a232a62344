import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock } from '../clock';
import type { RecordingChannels } from './model';

export interface SavedRecording {
  id: string;
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  channels: RecordingChannels;
  format: 'wav' | 'mp3';
  startedAt: number;
  endedAt: number;
  durationMs: number;
}

const SAMPLE_RATE = 8_000;

/**
 * Recordings that ended, and their signed download URLs. A URL carries its expiry (simulated
 * epoch ms) and an HMAC over id and expiry, like a pre-signed storage URL; the file is a real
 * PCM WAV (a quiet tone per channel) of the recorded length, capped.
 */
export class RecordingStore {
  private readonly recordings = new Map<string, SavedRecording>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly deps: { clock: SimClock; baseUrl: () => string; ttlMs: number; maxAudioSecs: number },
  ) {}

  save(recording: SavedRecording): void {
    this.recordings.set(recording.id, recording);
  }

  get(id: string): SavedRecording | undefined {
    return this.recordings.get(id);
  }

  list(): SavedRecording[] {
    return [...this.recordings.values()];
  }

  clear(): void {
    this.recordings.clear();
  }

  /** The WAV URL, valid for the configured TTL of simulated time from now. */
  signedUrl(id: string): string {
    const expires = Math.floor(this.deps.clock.now() + this.deps.ttlMs);
    return `${this.deps.baseUrl()}/recordings/${encodeURIComponent(id)}.wav?expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  check(id: string, expires: string | undefined, signature: string | undefined): 'ok' | 'expired' | 'invalid' {
    if (!expires || !signature || !/^\d+$/.test(expires)) return 'invalid';
    const expected = Buffer.from(this.sign(id, Number(expires)), 'hex');
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    if (this.deps.clock.now() > Number(expires)) return 'expired';
    return this.recordings.has(id) ? 'ok' : 'invalid';
  }

  wav(id: string): Buffer | undefined {
    const rec = this.recordings.get(id);
    if (!rec) return undefined;
    const seconds = Math.min(rec.durationMs / 1000, this.deps.maxAudioSecs);
    return toneWav(seconds, rec.channels === 'dual' ? 2 : 1);
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}:${expires}`).digest('hex');
  }
}

/** 16-bit PCM WAV at 8 kHz: 440 Hz on the first channel, 660 Hz on the second. */
export function toneWav(seconds: number, channels: 1 | 2): Buffer {
  const frames = Math.max(0, Math.round(seconds * SAMPLE_RATE));
  const dataBytes = frames * channels * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(SAMPLE_RATE, 24);
  buf.writeUInt32LE(SAMPLE_RATE * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  const freqs = [440, 660];
  let offset = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      buf.writeInt16LE(Math.round(2_000 * Math.sin((2 * Math.PI * freqs[c]! * i) / SAMPLE_RATE)), offset);
      offset += 2;
    }
  }
  return buf;
}

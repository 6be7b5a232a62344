import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_NAMES, optionsFromEnv, parseSimulatorOptions } from './config';
import { loadSigningKeys } from './keys';
import { parseFaultSpecs } from './cli';
import { toneWav } from './calls/recordings';

describe('simulator configuration', () => {
  it('has working defaults', () => {
    const options = parseSimulatorOptions({});
    expect(options).toMatchObject({ host: '127.0.0.1', port: 0, scale: 1, commandIdWindowMs: 60_000, recordingUrlTtlMs: 600_000, inboundAnswerTimeoutMs: 30_000 });
    expect(options.faults.duplicate.rate).toBe(0);
    expect(options.webhooks).toMatchObject({ concurrency: 8, maxAttempts: 5, primaryAttempts: 2 });
  });

  it('reads SIM_* variables and names the bad ones', () => {
    const env = { SIM_PORT: '4010', SIM_SCALE: 'fast', SIM_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/telnyx', SIM_WEBHOOK_CONCURRENCY: '0' };
    expect(() => parseSimulatorOptions(optionsFromEnv(env), ENV_NAMES)).toThrow(/SIM_SCALE[\s\S]*SIM_WEBHOOK_CONCURRENCY|SIM_WEBHOOK_CONCURRENCY[\s\S]*SIM_SCALE/);
    const ok = parseSimulatorOptions(optionsFromEnv({ ...env, SIM_SCALE: '50', SIM_WEBHOOK_CONCURRENCY: '2' }), ENV_NAMES);
    expect(ok).toMatchObject({ port: 4010, scale: 50, webhookUrl: 'http://127.0.0.1:3000/webhooks/telnyx', webhooks: { concurrency: 2 } });
  });

  it('parses fault switches given on the command line', () => {
    expect(parseFaultSpecs(['duplicate=0.1', 'reorder=0.2:300', 'rest5xx=0.05:502'])).toEqual({
      duplicate: { rate: 0.1 },
      reorder: { rate: 0.2, windowMs: 300 },
      rest5xx: { rate: 0.05, status: 502 },
    });
    expect(() => parseFaultSpecs(['duplicate=0.1:5'])).toThrow(/takes no parameter/);
    expect(() => parseFaultSpecs(['lag=1'])).toThrow(/KIND one of/);
  });
});

describe('recording audio', () => {
  it('is a valid PCM WAV of the requested length and channels', () => {
    const wav = toneWav(1.5, 2);
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.subarray(8, 16).toString('ascii')).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(8_000);
    expect(wav.readUInt32LE(40)).toBe(1.5 * 8_000 * 2 * 2);
  });
});

describe('signing keys', () => {
  it('keeps the key pair in its key file across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-key-'));
    try {
      const first = loadSigningKeys({ keyFile: join(dir, 'key.pem') });
      const second = loadSigningKeys({ keyFile: join(dir, 'key.pem') });
      expect(second.publicKeyBase64).toBe(first.publicKeyBase64);
      expect(loadSigningKeys({}).publicKeyBase64).not.toBe(first.publicKeyBase64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { createPrivateKey, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startCallstream, type Callstream, type CallstreamOptions } from '../../api/app';
import { legIds, signedHeaders, webhookBody } from '../support/telnyxSigning';

export const silentLogger = pino({ level: 'silent' });

export interface RunningApp {
  app: Callstream;
  dir: string;
  /** Posts a webhook signed with the embedded simulator's key. */
  deliverWebhook(eventType?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The whole product on its embedded defaults, in a temporary data directory, on free ports; without
 * the in-process reactor, so that only the test moves the event store and reports reactor positions.
 */
export const startApp = async (env: Record<string, string> = {}, options: Omit<CallstreamOptions, 'env' | 'logger' | 'port' | 'simulatorPort'> = {}): Promise<RunningApp> => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-observability-'));
  const app = await startCallstream({
    env: { NODE_ENV: 'test', CALLSTREAM_DATA_DIR: dir, CALLSTREAM_REACTOR: 'false', ...env },
    logger: silentLogger,
    port: 0,
    simulatorPort: 0,
    ...options,
  });
  const signingKey = createPrivateKey(readFileSync(join(dir, 'simulator-signing-key.pem'), 'utf8'));
  return {
    app,
    dir,
    deliverWebhook: (eventType = 'call.initiated') => {
      const callSessionId = randomUUID();
      const body = webhookBody({ id: randomUUID(), eventType, payload: { ...legIds(callSessionId), direction: 'incoming', state: 'parked', from: '+15550001111', to: '+15550100000' } });
      return fetch(`${app.url}/webhooks/telnyx`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(signingKey, body) }, body });
    },
    close: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The value of one series in a Prometheus text exposition, or undefined when the series is absent. */
export const seriesValue = (exposition: string, series: string): number | undefined => {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/** The metric names (from # TYPE lines) of a Prometheus text exposition. */
export const metricNames = (exposition: string): Set<string> =>
  new Set(exposition.split('\n').flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]] : [])));

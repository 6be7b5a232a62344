import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOpsEndpoint, Observability, PROJECTIONS_OPS_PORT, REACTOR_OPS_PORT } from '../../api/observability';
import { spawnService, type ServiceProcess } from '../support/serviceProcess';
import { generateTelnyxKeys } from '../support/telnyxSigning';
import { seriesValue, silentLogger } from './support';

/** Polls until `check` passes or the time is up (the last failure is thrown). */
const eventually = async (check: () => Promise<void>, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};

const stores = (dir: string): Record<string, string> => ({
  CALLSTREAM_DATA_DIR: dir,
  CALLSTREAM_EVENTSTORE_POLL_MS: '5',
  CALLSTREAM_READMODELS_POLL_MS: '5',
  // Any free port, on the loopback: the test reads the port from the log.
  CALLSTREAM_OPS_PORT: '0',
  CALLSTREAM_OPS_HOST: '127.0.0.1',
});

describe('the ops endpoints of the reactor process (api/reactorMain.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-ops-reactor-'));
  const token = 'reactor-metrics-token-0123456789';
  let reactor: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    reactor = spawnService('api/reactorMain.ts', 'api/reactorMain.ts', [], {
      ...stores(dir),
      // Nothing listens there: with no call, the reactor sends no command.
      TELNYX_BASE_URL: 'http://127.0.0.1:9/v2',
      TELNYX_API_KEY: 'KEY_OPS_TEST',
      TELNYX_PUBLIC_KEY: generateTelnyxKeys().publicKeyBase64,
      TELNYX_CONNECTION_ID: 'ops-test',
      CALLSTREAM_REACTOR_CHECKPOINT_MS: '50',
      CALLSTREAM_METRICS_TOKEN: token,
    });
    const listening = await reactor.waitForLog('ops endpoints listening');
    url = `http://127.0.0.1:${String(listening.port)}`;
  }, 90_000);

  afterAll(async () => {
    if (reactor.child.exitCode === null) reactor.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers liveness, readiness over the stores and the reactor, and the metrics behind the token', async () => {
    const live = await fetch(`${url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);

    // The reactor seeds the default configuration, handles it and reports its position.
    await eventually(async () => {
      const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(seriesValue(text, 'callstream_reactor_position{reactor="reactor"}')).toBeGreaterThan(0);
      expect(seriesValue(text, 'callstream_reactor_lag_positions{reactor="reactor"}')).toBe(0);
      expect(seriesValue(text, 'callstream_event_store_appended_events_total')).toBeGreaterThan(0);
    });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { eventStore: { status: 'ok' }, readModelStore: { status: 'ok' }, reactor: { status: 'ok', detail: { lag: { reactor: '0' } } } },
    });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });

  it('closes the ops port and exits cleanly on SIGTERM', async () => {
    reactor.child.kill('SIGTERM');
    expect(await reactor.exit).toBe(0);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});

describe('the ops endpoints of the projections process (projections/cli.ts run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-ops-projections-'));
  let projections: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    projections = spawnService('projections/cli.ts', 'projections/cli.ts', ['run'], { ...stores(dir), CALLSTREAM_METRICS_ENABLED: 'true' });
    const listening = await projections.waitForLog('ops endpoints listening');
    url = `http://127.0.0.1:${String(listening.port)}`;
    await projections.waitForLog('projections process started');
  }, 90_000);

  afterAll(async () => {
    if (projections.child.exitCode === null) projections.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers liveness, readiness over the stores and the projections, and the projection lag metrics', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    await eventually(async () => {
      const ready = await fetch(`${url}/health/ready`);
      const report = (await ready.json()) as { status: string; checks: Record<string, { status: string; detail?: { lag?: Record<string, string> } }> };
      expect(ready.status).toBe(200);
      expect(Object.keys(report.checks).sort()).toEqual(['eventStore', 'projections', 'readModelStore']);
      expect(report.checks.projections.detail?.lag).toMatchObject({ queue: '0', 'call-history': '0', 'agent-idle-time': '0' });
    });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(seriesValue(text, 'callstream_projection_lag_positions{projection="queue"}')).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('closes the ops port and exits cleanly on SIGTERM', async () => {
    projections.child.kill('SIGTERM');
    expect(await projections.exit).toBe(0);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});

describe('where the ops endpoints are served', () => {
  it('defaults per process, takes CALLSTREAM_OPS_PORT and CALLSTREAM_OPS_HOST, and can be turned off', () => {
    expect(loadOpsEndpoint({}, REACTOR_OPS_PORT)).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(loadOpsEndpoint({}, PROJECTIONS_OPS_PORT)).toEqual({ port: 9465, host: '0.0.0.0' });
    expect(loadOpsEndpoint({ CALLSTREAM_OPS_PORT: '0', CALLSTREAM_OPS_HOST: '127.0.0.1' }, REACTOR_OPS_PORT)).toEqual({ port: 0, host: '127.0.0.1' });
    expect(loadOpsEndpoint({ CALLSTREAM_OPS_PORT: 'off' }, REACTOR_OPS_PORT)).toBeNull();
    expect(() => loadOpsEndpoint({ CALLSTREAM_OPS_PORT: '70000' }, REACTOR_OPS_PORT)).toThrow(/CALLSTREAM_OPS_PORT/);
  });

  it('goes on without them when the port is taken, and answers /metrics 404 when metrics are off', async () => {
    const taken: Server = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = (taken.address() as AddressInfo).port;
    try {
      const observability = new Observability({ CALLSTREAM_METRICS_ENABLED: 'false' }, silentLogger);
      expect(await observability.serveOps({ port, host: '127.0.0.1' }, silentLogger)).toBeNull();
      expect(await observability.serveOps(null, silentLogger)).toBeNull();
      const ops = await observability.serveOps({ port: 0, host: '127.0.0.1' }, silentLogger);
      try {
        expect((await fetch(`http://127.0.0.1:${ops!.port}/health/live`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${ops!.port}/metrics`)).status).toBe(404);
      } finally {
        await ops?.close();
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LegGoneError, TelnyxCommandError, UnavailableError, WrongExpectedVersionError } from '../../api/core/errors';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { TelnyxNotFoundError } from '../../api/infrastructure/telnyx/errors';
import { CallstreamMetrics, InstrumentedEventStore, Readiness, eventStoreCheck, instrumentTelnyx, startOpsServer, telnyxErrorKind, type OpsServer } from '../../api/observability';
import { createSimulator, type Simulator } from '../../simulator';
import { createTelnyx } from '../graphql/support/apiHarness';
import { SwitchableEventStore } from '../webhooks/harness';
import { seriesValue, silentLogger } from './support';

describe('the instrumented Telnyx port', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await createSimulator({ scale: 100, seed: 1, logLevel: 'silent' });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('counts calls by action and failures by action and kind, and passes results and errors through', async () => {
    const metrics = new CallstreamMetrics(silentLogger);
    const telnyx = instrumentTelnyx(createTelnyx(sim), metrics);

    await expect(telnyx.hangup('v3:no-such-leg', {}, randomUUID())).rejects.toBeInstanceOf(TelnyxNotFoundError);
    await expect(telnyx.command('v3:no-such-leg', { action: 'speak', params: { payload: 'hi', voice: 'female' } }, randomUUID())).rejects.toBeInstanceOf(TelnyxNotFoundError);
    const credential = await telnyx.createCredential({ name: 'agent-1 laptop' });
    expect(credential.sip_username).toMatch(/^gencred/);

    const { body } = await metrics.scrape();
    expect(seriesValue(body, 'callstream_telnyx_requests_total{action="hangup"}')).toBe(1);
    expect(seriesValue(body, 'callstream_telnyx_requests_total{action="speak"}')).toBe(1);
    expect(seriesValue(body, 'callstream_telnyx_requests_total{action="create_credential"}')).toBe(1);
    expect(seriesValue(body, 'callstream_telnyx_command_errors_total{action="hangup",kind="not_found"}')).toBe(1);
    expect(seriesValue(body, 'callstream_telnyx_command_errors_total{action="speak",kind="not_found"}')).toBe(1);
    expect(seriesValue(body, 'callstream_telnyx_command_errors_total{action="create_credential",kind="not_found"}')).toBeUndefined();
  });

  it('names the kind of every error the adapter raises', () => {
    const details = { operation: 'answer' };
    expect(telnyxErrorKind(new LegGoneError('gone', details))).toBe('leg_gone');
    expect(telnyxErrorKind(new TelnyxNotFoundError('unknown', details))).toBe('not_found');
    expect(telnyxErrorKind(new UnavailableError('timeout'))).toBe('unavailable');
    expect(telnyxErrorKind(new TelnyxCommandError('refused', details))).toBe('refused');
    expect(telnyxErrorKind(new Error('bug'))).toBe('internal');
  });
});

describe('the instrumented event store', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-instrumented-'));
    store = new SqliteEventStore({ dataDir: dir, logger: silentLogger });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('times appends by outcome and counts the events written', async () => {
    const metrics = new CallstreamMetrics(silentLogger);
    const switchable = new SwitchableEventStore(store);
    const events = new InstrumentedEventStore(switchable, metrics);
    const event = () => ({ id: randomUUID(), type: 'Tested', data: { at: 'now' } });

    await events.append('test-1', [event(), event()], { expectedRevision: 'no_stream' });
    await expect(events.append('test-1', [event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    switchable.down = true;
    await expect(events.append('test-1', [event()])).rejects.toBeInstanceOf(UnavailableError);
    switchable.down = false;
    expect(await events.readStream('test-1')).toHaveLength(2);

    const { body } = await metrics.scrape();
    expect(seriesValue(body, 'callstream_event_store_append_duration_seconds_count{outcome="ok"}')).toBe(1);
    expect(seriesValue(body, 'callstream_event_store_append_duration_seconds_count{outcome="wrong_expected_version"}')).toBe(1);
    expect(seriesValue(body, 'callstream_event_store_append_duration_seconds_count{outcome="unavailable"}')).toBe(1);
    expect(seriesValue(body, 'callstream_event_store_appended_events_total')).toBe(2);
  });
});

describe('the ops server of a process without an API', () => {
  let dir: string;
  let store: SqliteEventStore;
  let ops: OpsServer;
  let switchable: SwitchableEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-ops-'));
    store = new SqliteEventStore({ dataDir: dir, logger: silentLogger });
    switchable = new SwitchableEventStore(store);
    const metrics = new CallstreamMetrics(silentLogger);
    metrics.setHeadPositionSource(() => switchable.headPosition());
    metrics.setReactorPosition(-1n);
    const readiness = new Readiness({ timeoutMs: 1000, logger: silentLogger });
    readiness.register(eventStoreCheck(switchable));
    ops = await startOpsServer({ metrics, readiness, logger: silentLogger, port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await ops.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string): Promise<Response> => fetch(`http://127.0.0.1:${ops.port}${path}`);

  it('serves liveness, readiness that follows the store, and the metrics', async () => {
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/health/ready')).status).toBe(200);
    switchable.down = true;
    const down = await get('/health/ready');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', checks: { eventStore: { status: 'failed' } } });
    switchable.down = false;
    expect((await get('/health/ready')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^callstream_reactor_lag_positions\{reactor="reactor"\} 0$/m);
    expect((await get('/nowhere')).status).toBe(404);
  });
});

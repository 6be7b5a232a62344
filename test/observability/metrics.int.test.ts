import { defaultConfiguration } from '../../api/config/defaultConfiguration';
import { METRIC_NAMES } from '../../api/observability';
import { metricNames, seriesValue, startApp, type RunningApp } from './support';

describe('GET /metrics', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    await running.close();
  });

  const scrape = async (): Promise<{ status: number; contentType: string | null; text: string }> => {
    const response = await fetch(`${running.app.url}/metrics`);
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  };

  it('exposes every callstream metric and the default process metrics in the Prometheus text format', async () => {
    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const names = metricNames(text);
    for (const name of Object.values(METRIC_NAMES)) {
      // prom-client lists a counter under its name without the _total suffix in # TYPE lines.
      expect(names.has(name) || names.has(name.replace(/_total$/, ''))).toBe(true);
    }
    expect(names.has('process_cpu_user_seconds_total') || names.has('process_cpu_user_seconds')).toBe(true);
    expect(names.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts a webhook by status and outcome, and times the append it caused', async () => {
    const before = await scrape();
    const response = await running.deliverWebhook();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'appended' });

    const after = (await scrape()).text;
    const delta = (series: string): number => (seriesValue(after, series) ?? 0) - (seriesValue(before.text, series) ?? 0);
    expect(delta('callstream_webhook_request_duration_seconds_count{status="200"}')).toBe(1);
    expect(delta('callstream_webhooks_total{outcome="appended",reason=""}')).toBe(1);
    expect(delta('callstream_event_store_append_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(delta('callstream_event_store_appended_events_total')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(after, 'callstream_event_store_head_position')).toBeGreaterThanOrEqual(0);
  });

  it('counts a rejected webhook under its reason', async () => {
    const before = (await scrape()).text;
    const response = await fetch(`${running.app.url}/webhooks/telnyx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);

    const after = (await scrape()).text;
    expect(seriesValue(after, 'callstream_webhook_request_duration_seconds_count{status="401"}')).toBe((seriesValue(before, 'callstream_webhook_request_duration_seconds_count{status="401"}') ?? 0) + 1);
    const rejected = after.split('\n').filter((l) => l.startsWith('callstream_webhooks_total{outcome="rejected"'));
    expect(rejected.length).toBeGreaterThan(0);
  });

  it('shows no reactor series until a reactor reports, then its position and lag', async () => {
    expect((await scrape()).text).not.toMatch(/^callstream_reactor_position\{/m);
    running.app.observability.setReactorPosition(-1n);
    const { text } = await scrape();
    expect(seriesValue(text, 'callstream_reactor_position{reactor="reactor"}')).toBe(-1);
    const head = seriesValue(text, 'callstream_event_store_head_position');
    expect(seriesValue(text, 'callstream_reactor_lag_positions{reactor="reactor"}')).toBe((head ?? Number.NaN) + 1);
  });
});

describe('GET /metrics with CALLSTREAM_METRICS_TOKEN', () => {
  let running: RunningApp;
  const token = 'scrape-token-0123456789';

  beforeAll(async () => {
    running = await startApp({ CALLSTREAM_METRICS_TOKEN: token });
  });

  afterAll(async () => {
    await running.close();
  });

  it('refuses a scrape without the bearer token and answers one with it', async () => {
    const anonymous = await fetch(`${running.app.url}/metrics`);
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const wrong = await fetch(`${running.app.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
    const authorized = await fetch(`${running.app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(authorized.status).toBe(200);
    expect(await authorized.text()).toContain(METRIC_NAMES.webhookRequestDuration);
  });
});

describe('the queue and agent gauges', () => {
  let running: RunningApp;

  afterAll(async () => {
    await running.close();
  });

  it('follow the read models: a caller waiting in sales, an agent logged in without a phone', async () => {
    // At scale 5 the sales queue's 600 s maximum wait is two minutes: the caller is still waiting when the gauges are read.
    running = await startApp({ CALLSTREAM_REACTOR: 'true', SIM_SCALE: '5' });
    const { app } = running;
    const scrape = async (): Promise<string> => (await fetch(`${app.url}/metrics`)).text();
    const until = async (what: string, check: (text: string) => boolean): Promise<string> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const text = await scrape();
        if (check(text)) return text;
        if (Date.now() > deadline) {
          const legs = app.simulator?.control.calls().map((l) => `${l.direction} ${l.to} ${l.state} ${l.hangupCause ?? ''}`) ?? [];
          const gauges = text.split('\n').filter((l) => l.startsWith('callstream_queue') || l.startsWith('callstream_agents'));
          throw new Error(`timed out waiting for ${what}:\n${gauges.join('\n')}\nlegs:\n${legs.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await until('the configured queues', (text) => seriesValue(text, 'callstream_queue_waiting_calls{queue="sales"}') === 0);

    // Nobody has a phone registered: the caller waits in sales.
    app.simulator!.world.placeCaller({ from: '+15550200102', ivr: ['1', '1'] });
    await app.callControl.logIn({ agentId: 'alice' }, { actor: 'alice', requestId: 'metrics-login' });
    const text = await until('a waiting caller and alice logged in', (t) => seriesValue(t, 'callstream_queue_waiting_calls{queue="sales"}') === 1 && seriesValue(t, 'callstream_agents{state="Available"}') === 1);
    const states = ['Offline', 'Available', 'Break', 'Reserved', 'Ringing', 'OnCall', 'WrapUp'].map((state) => seriesValue(text, `callstream_agents{state="${state}"}`) ?? 0);
    // Every configured agent is counted once: the others are offline.
    const configured = Object.keys(defaultConfiguration().agents).length;
    expect(states.reduce((a, b) => a + b, 0)).toBe(configured);
    expect(seriesValue(text, 'callstream_agents{state="Offline"}')).toBe(configured - 1);
    expect(seriesValue(text, 'callstream_queue_waiting_calls{queue="support"}')).toBe(0);
    expect(seriesValue(text, 'callstream_agents{state="OnCall"}')).toBe(0);
  }, 180_000);
});

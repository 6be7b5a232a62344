import type { EventStore } from '../../api/infrastructure/eventStore/eventStore';
import { SwitchableEventStore } from '../webhooks/harness';
import { startApp, type RunningApp } from './support';

interface ReadyBody {
  status: string;
  checks: Record<string, { status: string; reason?: string }>;
}

describe('GET /health/ready', () => {
  let running: RunningApp;
  let switchable: SwitchableEventStore;

  beforeAll(async () => {
    running = await startApp(
      {},
      {
        decorateEventStore: (eventStore: EventStore) => {
          switchable = new SwitchableEventStore(eventStore);
          return switchable;
        },
      },
    );
  });

  afterAll(async () => {
    switchable.down = false;
    await running.close();
  });

  const ready = async (): Promise<{ status: number; body: ReadyBody }> => {
    const response = await fetch(`${running.app.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  };

  it('is 200 with every check passing while the stores answer', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['eventStore', 'projections', 'reactor', 'readModelStore']));
    for (const check of Object.values(body.checks)) expect(check.status).toBe('ok');
  });

  it('turns 503 naming the event store while it is unavailable, and back to 200 when it returns', async () => {
    switchable.down = true;
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.eventStore).toMatchObject({ status: 'failed', reason: 'event store switched off by the test' });
    expect(down.body.checks.readModelStore.status).toBe('ok');

    const live = await fetch(`${running.app.url}/health/live`);
    expect(live.status).toBe(200);
    await live.body?.cancel();

    switchable.down = false;
    const back = await ready();
    expect(back.status).toBe(200);
    expect(back.body.checks.eventStore.status).toBe('ok');
  });

  it('answers webhooks with 503 while the event store is unavailable, and counts them', async () => {
    switchable.down = true;
    const refused = await running.deliverWebhook();
    expect(refused.status).toBe(503);
    await refused.body?.cancel();
    switchable.down = false;
    const metrics = await (await fetch(`${running.app.url}/metrics`)).text();
    expect(metrics).toMatch(/^callstream_webhooks_total\{outcome="store_error",reason=""\} [1-9]/m);
  });
});

describe('GET /health/ready with a reactor far behind', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ CALLSTREAM_READY_MAX_REACTOR_LAG: '1' });
  });

  afterAll(async () => {
    await running.close();
  });

  it('turns 503 on the reactor check until the reactor catches up', async () => {
    const appended = await running.deliverWebhook();
    expect(appended.status).toBe(200);
    await appended.body?.cancel();
    const head = await running.app.eventStore.headPosition();

    running.app.observability.setReactorPosition(head - 5n);
    const behind = await fetch(`${running.app.url}/health/ready`);
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as ReadyBody).checks.reactor.status).toBe('failed');

    running.app.observability.setReactorPosition(head);
    const caughtUp = await fetch(`${running.app.url}/health/ready`);
    expect(caughtUp.status).toBe(200);
    await caughtUp.body?.cancel();
  });
});

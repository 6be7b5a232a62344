import Telnyx from 'telnyx';
import { createSimulator, type Simulator, type SimulatorOptionsInput } from './index';
import { WebhookReceiver } from './testing/webhookReceiver';

describe('simulator webhook delivery and fault switches', () => {
  const opened: { close(): Promise<void> }[] = [];

  async function setup(options: SimulatorOptionsInput = {}): Promise<{ sim: Simulator; receiver: WebhookReceiver }> {
    const sim = await createSimulator({ seed: 42, ...options, webhooks: { retryDelaysMs: [10], concurrency: 1, ...options.webhooks } });
    const receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    opened.push(sim, receiver);
    return { sim, receiver };
  }

  const initiatedIds = (receiver: WebhookReceiver): string[] =>
    receiver.received.filter((h) => h.envelope.data.event_type === 'call.initiated').map((h) => h.envelope.data.id);

  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  it('redelivers on a non-2xx answer and moves to the failover URL after two failed attempts', async () => {
    const { sim, receiver: primary } = await setup();
    const failover = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64, path: '/failover' });
    opened.push(failover);
    primary.respondWith(() => 500);
    sim.control.setWebhookUrls({ failoverUrl: failover.url });

    sim.world.placeCaller();
    const event = await failover.waitForEvent('call.initiated');
    const atPrimary = primary.received.filter((h) => h.envelope.data.id === event.id);
    expect(atPrimary.map((h) => [h.envelope.meta.attempt, h.envelope.meta.delivered_to, h.status])).toEqual([
      [1, primary.url, 500],
      [2, primary.url, 500],
    ]);
    const atFailover = failover.accepted().find((h) => h.envelope.data.id === event.id)!;
    expect(atFailover.envelope.meta).toEqual({ attempt: 3, delivered_to: failover.url });
    await sim.control.webhooksIdle();
    expect(sim.control.counters().webhooks.byEventType['call.initiated']).toMatchObject({ sent: 1, attempts: 3, failed: 2, redelivered: 2, failover: 1, delivered: 1 });
  });

  it('counts a receiver that does not answer in time as a failed attempt and redelivers', async () => {
    const { sim, receiver } = await setup({ webhooks: { timeoutMs: 200 } });
    receiver.respondWith((_hook, index) => (index === 0 ? 'hang' : 200));
    sim.world.placeCaller();
    const event = await receiver.waitForEvent('call.initiated');
    const attempts = receiver.received.filter((h) => h.envelope.data.id === event.id).map((h) => h.envelope.meta.attempt);
    expect(attempts).toEqual([1, 2]);
    await sim.control.webhooksIdle();
    expect(sim.control.deliveries().map((d) => d.outcome)).toEqual(['failed', 'delivered']);
  });

  it('gives an event up after the last attempt', async () => {
    const { sim, receiver } = await setup({ webhooks: { maxAttempts: 3 } });
    receiver.respondWith(() => 503);
    sim.world.placeCaller();
    await receiver.waitUntil(() => receiver.received.length === 3, 'three attempts');
    await sim.control.webhooksIdle();
    expect(sim.control.counters().webhooks.total).toMatchObject({ sent: 1, attempts: 3, failed: 3, abandoned: 1, delivered: 0 });
  });

  it('duplicate: the receiver gets every data.id twice', async () => {
    const { sim, receiver } = await setup({ faults: { duplicate: { rate: 1 } } });
    for (let i = 0; i < 3; i++) sim.world.placeCaller();
    await receiver.waitUntil(() => receiver.accepted().length === 6, 'six deliveries');
    const ids = initiatedIds(receiver);
    expect(new Set(ids).size).toBe(3);
    for (const id of new Set(ids)) expect(ids.filter((x) => x === id)).toHaveLength(2);
    await sim.control.webhooksIdle();
    expect(sim.control.counters().faults.duplicate).toBe(3);
    expect(sim.control.counters().webhooks.total).toMatchObject({ sent: 3, delivered: 6 });
  });

  it('dropFirstAttempt: the first attempt arrives, is treated as failed, and is delivered again', async () => {
    const { sim, receiver } = await setup({ faults: { dropFirstAttempt: { rate: 1 } } });
    sim.world.placeCaller();
    await receiver.waitUntil(() => receiver.received.length === 2, 'two attempts of one event');
    const [a, b] = receiver.received;
    expect(a!.envelope.data.id).toBe(b!.envelope.data.id);
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect([a!.envelope.meta.attempt, b!.envelope.meta.attempt]).toEqual([1, 2]);
    await sim.control.webhooksIdle();
    expect(sim.control.counters().faults.dropFirstAttempt).toBe(1);
    expect(sim.control.counters().webhooks.total).toMatchObject({ redelivered: 1, failed: 1, delivered: 1 });
  });

  it('reorder: events arrive out of their occurred_at order', async () => {
    const { sim, receiver } = await setup({ faults: { reorder: { rate: 1, windowMs: 300 } } });
    for (let i = 0; i < 8; i++) sim.world.placeCaller();
    await receiver.waitUntil(() => receiver.accepted().length === 8, 'eight events');
    const arrival = receiver.accepted().map((h) => h.envelope.data.occurred_at);
    expect(arrival).not.toEqual([...arrival].sort());
    expect(sim.control.counters().faults.reorder).toBe(8);
  });

  it('delay: delayed events are overtaken by later ones but all arrive', async () => {
    const { sim, receiver } = await setup({ faults: { delay: { rate: 0.5, delayMs: 300 } } });
    for (let i = 0; i < 8; i++) sim.world.placeCaller();
    await receiver.waitUntil(() => receiver.accepted().length === 8, 'eight events');
    const arrival = receiver.accepted().map((h) => h.envelope.data.occurred_at);
    expect(arrival).not.toEqual([...arrival].sort());
    expect(sim.control.counters().faults.delay).toBeGreaterThan(0);
    expect(sim.control.counters().faults.delay).toBeLessThan(8);
  });

  it('rest5xx: the API answers 5xx without executing the command', async () => {
    const { sim, receiver } = await setup({ faults: { rest5xx: { rate: 1, status: 503 } } });
    const client = new Telnyx({ apiKey: sim.apiKey, baseURL: sim.apiBaseUrl, maxRetries: 0 });
    const id = sim.world.placeCaller().callControlId;
    const err: unknown = await client.calls.actions.answer(id, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Telnyx.InternalServerError);
    expect((err as InstanceType<typeof Telnyx.APIError>).status).toBe(503);
    expect(sim.control.call(id)?.state).toBe('parked');
    expect(sim.control.counters().faults.rest5xx).toBe(1);
    await receiver.waitForEvent('call.initiated');
  });

  it('restTimeout: the command runs but its answer comes too late for the client', async () => {
    const { sim, receiver } = await setup({ faults: { restTimeout: { rate: 1, hangMs: 2_000 } } });
    const client = new Telnyx({ apiKey: sim.apiKey, baseURL: sim.apiBaseUrl, maxRetries: 0, timeout: 200 });
    const id = sim.world.placeCaller().callControlId;
    const err: unknown = await client.calls.actions.answer(id, {}).catch((e: unknown) => e);
    // APIConnectionTimeoutError outside jest; jest's realm hides the AbortError, so the SDK reports the parent class.
    expect(err).toBeInstanceOf(Telnyx.APIConnectionError);
    await receiver.waitForEvent('call.answered', (p) => p.call_control_id === id);
    expect(sim.control.counters().faults.restTimeout).toBe(1);
  });

  it('switches faults at runtime through the control API', async () => {
    const { sim } = await setup();
    const res = await fetch(`${sim.url}/sim/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.controlKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duplicate: { rate: 0.25 }, reorder: { windowMs: 50 } }),
    });
    expect(await res.json()).toMatchObject({ duplicate: { rate: 0.25 }, reorder: { rate: 0, windowMs: 50 } });
    const bad = await fetch(`${sim.url}/sim/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.controlKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duplicate: { rate: 2 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/duplicate\.rate/);
    const unauthorised = await fetch(`${sim.url}/sim/faults`);
    expect(unauthorised.status).toBe(401);
  });
});

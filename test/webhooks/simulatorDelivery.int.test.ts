import { createSimulator, type Simulator } from '../../simulator';
import { callStreamId, type TelnyxWebhookReceivedData } from '../../api/webhooks/webhookIntake';
import { allEvents, startWebhookServer, type WebhookServer } from './harness';

const waitFor = async (predicate: () => boolean, description: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('webhooks sent by the Telnyx simulator', () => {
  let sim: Simulator;
  let server: WebhookServer;

  afterEach(async () => {
    await sim.close();
    await server.close();
  });

  it('are each stored once under duplicates, reordering, dropped attempts, failover and a store outage', async () => {
    sim = await createSimulator({
      seed: 11,
      logLevel: 'silent',
      webhooks: { concurrency: 8, retryDelaysMs: [20, 50, 100], maxAttempts: 20, primaryAttempts: 2 },
      faults: { duplicate: { rate: 0.5 }, reorder: { rate: 0.5, windowMs: 50 }, dropFirstAttempt: { rate: 0.3 } },
    });
    server = await startWebhookServer({ publicKey: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: `${server.url}/webhooks/telnyx`, failoverUrl: `${server.url}/webhooks/telnyx/failover` });
    const hangups = (): number => new Set(sim.control.deliveries().filter((d) => d.eventType === 'call.hangup').map((d) => d.eventId)).size;

    const calls = Array.from({ length: 10 }, () => sim.world.placeCaller({ answerTimeoutMs: 100 }));
    server.switchable.down = true;
    await waitFor(() => sim.control.deliveries().some((d) => d.status === 503), 'a delivery refused during the outage');
    calls.push(...Array.from({ length: 5 }, () => sim.world.placeCaller({ answerTimeoutMs: 100 })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.switchable.down = false;
    await waitFor(() => hangups() === calls.length, 'every caller to hang up');
    await sim.control.webhooksIdle();

    const deliveries = sim.control.deliveries();
    const sent = new Set(deliveries.map((d) => d.eventId));
    expect(sim.control.counters().webhooks.total).toMatchObject({ sent: sent.size, abandoned: 0 });
    expect(deliveries.filter((d) => d.duplicate).length).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.status === 503).length).toBeGreaterThan(0);
    expect(deliveries.some((d) => d.url.endsWith('/webhooks/telnyx/failover') && d.outcome === 'delivered')).toBe(true);

    const stored = (await allEvents(server.store)).map((event) => event.data as TelnyxWebhookReceivedData);
    expect(stored.map((data) => data.webhookId).sort()).toEqual([...sent].sort());
    for (const data of stored) expect(data.callSessionId).not.toBeNull();
    const sessions = new Set(stored.map((data) => data.callSessionId as string));
    expect(sessions.size).toBe(calls.length);
    for (const session of sessions) {
      const types = (await server.store.readStream(callStreamId(session))).map((event) => (event.data as TelnyxWebhookReceivedData).eventType);
      expect(types.sort()).toEqual(['call.hangup', 'call.initiated']);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { v5 as uuidv5 } from 'uuid';
import { callStreamId, TELNYX_WEBHOOK_RECEIVED, WEBHOOK_EVENT_ID_NAMESPACE, webhookEventId, type TelnyxWebhookReceivedData } from '../../api/webhooks/webhookIntake';
import { generateTelnyxKeys, legIds, unixSeconds, webhookBody } from '../support/telnyxSigning';
import { callWebhooks } from './callScript';
import { allEvents, shuffle, startWebhookServer, type WebhookServer } from './harness';

describe('webhook intake over HTTP on the SQLite event store', () => {
  let server: WebhookServer;

  beforeEach(async () => {
    server = await startWebhookServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('stores a valid webhook verbatim in its call stream and answers 200 after the append', async () => {
    const [initiated] = callWebhooks(randomUUID(), 1);
    // Spacing and key order of the sender are kept: the stored raw is the exact body.
    const body = `{ "meta": {"attempt": 1, "delivered_to": "https://cc.example.com/webhooks/telnyx"},\n  "data": ${JSON.stringify(JSON.parse(initiated.body()).data, null, 1)} }`;

    const answer = await server.deliver(body);

    expect(answer).toMatchObject({ status: 200, body: { status: 'appended', webhookId: initiated.id } });
    const stream = await server.store.readStream(callStreamId(initiated.callSessionId));
    expect(stream).toHaveLength(1);
    const [event] = stream;
    expect(event.id).toBe(uuidv5(initiated.id, WEBHOOK_EVENT_ID_NAMESPACE));
    expect(event.id).toBe(webhookEventId(initiated.id));
    expect(event.type).toBe(TELNYX_WEBHOOK_RECEIVED);
    const data = event.data as TelnyxWebhookReceivedData;
    expect(Buffer.from(data.raw, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
    const parsed = JSON.parse(body) as { data: { payload: unknown } };
    expect(data).toEqual({
      webhookId: initiated.id,
      eventType: 'call.initiated',
      occurredAt: '2026-01-01T12:00:00.000Z',
      callSessionId: initiated.callSessionId,
      callControlId: legIds(initiated.callSessionId).call_control_id,
      callLegId: legIds(initiated.callSessionId).call_leg_id,
      payload: parsed.data.payload,
      meta: { attempt: 1, delivered_to: 'https://cc.example.com/webhooks/telnyx' },
      raw: body,
    });
    expect(event.metadata).toEqual({ correlationId: initiated.callSessionId, causationId: initiated.id, actor: 'telnyx', receivedAt: expect.any(String) });
    expect(server.router.intake.stats()).toMatchObject({ received: 1, appended: 1, duplicates: 0, storeErrors: 0, latency: { count: 1 } });
  });

  it('answers a redelivery (new timestamp, next attempt, failover path) as a duplicate and appends nothing', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    expect((await server.deliver(webhook.body(1))).body).toEqual({ status: 'appended', webhookId: webhook.id });

    const again = await server.deliver(webhook.body(2), { timestamp: unixSeconds() - 5, path: '/webhooks/telnyx/failover' });

    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate', webhookId: webhook.id } });
    expect(await allEvents(server.store)).toHaveLength(1);
    expect(server.router.intake.stats()).toMatchObject({ received: 2, appended: 1, duplicates: 1 });
  });

  it('stores each webhook exactly once under concurrent duplicate and reordered delivery', async () => {
    const calls = Array.from({ length: 20 }, () => callWebhooks());
    const webhooks = calls.flat();
    expect(webhooks).toHaveLength(200);
    // Three deliveries of each, re-signed each time, all in flight at once in a random order.
    const deliveries = shuffle(
      webhooks.flatMap((webhook) => [1, 2, 3].map((attempt) => ({ webhook, attempt }))),
      20260101,
    );

    const answers = await Promise.all(deliveries.map(({ webhook, attempt }) => server.deliver(webhook.body(attempt), { timestamp: unixSeconds() - attempt })));

    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const statuses = answers.map((answer) => answer.body.status);
    expect(statuses.filter((status) => status === 'appended')).toHaveLength(200);
    expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(400);
    for (const call of calls) {
      const stream = await server.store.readStream(callStreamId(call[0].callSessionId));
      const ids = stream.map((event) => (event.data as TelnyxWebhookReceivedData).webhookId);
      expect(ids.sort()).toEqual(call.map((webhook) => webhook.id).sort());
      expect(stream.map((event) => event.revision)).toEqual(stream.map((_, index) => BigInt(index)));
    }
    expect(await allEvents(server.store)).toHaveLength(200);
    expect(server.router.intake.stats()).toMatchObject({ received: 600, appended: 200, duplicates: 400, storeErrors: 0 });
  });

  it('re-reads the stream when another writer appended to it since it was cached', async () => {
    const [first, second] = callWebhooks(randomUUID(), 2);
    const streamId = callStreamId(first.callSessionId);
    await server.deliver(first.body());
    await server.store.append(streamId, [{ id: randomUUID(), type: 'CallAnswerRequested', data: { callSessionId: first.callSessionId } }], { expectedRevision: 0n });
    // The same webhook delivered through another node, straight into the store.
    await server.store.append(streamId, [
      { id: webhookEventId(second.id), type: TELNYX_WEBHOOK_RECEIVED, data: { webhookId: second.id, raw: second.body() }, metadata: {} },
    ]);

    const answer = await server.deliver(second.body(2));

    expect(answer.body).toEqual({ status: 'duplicate', webhookId: second.id });
    expect((await server.store.readStream(streamId)).map((event) => event.type)).toEqual([TELNYX_WEBHOOK_RECEIVED, 'CallAnswerRequested', TELNYX_WEBHOOK_RECEIVED]);
    // The cached revision was stale: one conflict, one read of what was added, then the answer.
    expect(server.router.intake.stats().store.conflicts).toBe(1);

    const [, , third] = callWebhooks(first.callSessionId, 3);
    await server.store.append(streamId, [{ id: randomUUID(), type: 'CallEnqueueRequested', data: {} }]);
    expect((await server.deliver(third.body())).body).toEqual({ status: 'appended', webhookId: third.id });
    expect(server.router.intake.stats().store.conflicts).toBe(2);
    expect(await server.store.streamRevision(streamId)).toBe(4n);
  });

  it('answers 503 with Retry-After while the store is down, then stores every redelivery exactly once', async () => {
    const calls = Array.from({ length: 5 }, () => callWebhooks());
    const webhooks = calls.flat();
    // Warm the dedupe cache of the first call before the outage.
    expect((await server.deliver(webhooks[0].body())).status).toBe(200);

    server.switchable.down = true;
    const during = await Promise.all(webhooks.map((webhook) => server.deliver(webhook.body(2))));
    server.switchable.down = false;

    // The webhook stored before the outage is known durable from the cache; the others wait for the store.
    expect(during[0]).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    for (const answer of during.slice(1)) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body).toMatchObject({ error: { code: 'UNAVAILABLE', reason: 'store_unavailable' } });
    }
    expect(await allEvents(server.store)).toHaveLength(1);

    const after = await Promise.all(shuffle([...webhooks, ...webhooks], 7).map((webhook) => server.deliver(webhook.body(3))));

    expect(after.every((answer) => answer.status === 200)).toBe(true);
    const stored = await allEvents(server.store);
    expect(stored.map((event) => (event.data as TelnyxWebhookReceivedData).webhookId).sort()).toEqual(webhooks.map((webhook) => webhook.id).sort());
    expect(server.router.intake.stats()).toMatchObject({ appended: webhooks.length, storeErrors: webhooks.length - 1 });
  });

  it('stores an unknown event type, in its call stream or in a stream per type', async () => {
    const session = randomUUID();
    const withCall = webhookBody({ id: randomUUID(), eventType: 'call.cost', payload: { call_session_id: session, total_cost: '0.0100' } });
    const withoutCall = webhookBody({ id: randomUUID(), eventType: 'number_order.complete', payload: { id: 'order-1' } });

    expect((await server.deliver(withCall)).body).toMatchObject({ status: 'appended' });
    expect((await server.deliver(withoutCall)).body).toMatchObject({ status: 'appended' });

    expect(await server.store.readStream(callStreamId(session))).toEqual([expect.objectContaining({ data: expect.objectContaining({ eventType: 'call.cost', raw: withCall }) })]);
    const [other] = await server.store.readStream('telnyx-number_order.complete');
    expect(other.data).toMatchObject({ eventType: 'number_order.complete', callSessionId: null, callControlId: null, raw: withoutCall });
    expect(other.metadata).toMatchObject({ correlationId: JSON.parse(withoutCall).data.id });
  });

  it('answers 401 to a missing header, a stale or future timestamp and another key, and appends nothing', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    const body = webhook.body();
    const other = generateTelnyxKeys();

    const answers = [
      await server.deliver(body, { headers: { 'telnyx-signature-ed25519': '' } }),
      await server.deliver(body, { headers: { 'telnyx-timestamp': '' } }),
      await server.deliver(body, { timestamp: unixSeconds() - 301 }),
      await server.deliver(body, { timestamp: unixSeconds() + 301 }),
      await server.deliver(body, { signWith: other }),
      await server.deliver(body, { signedBody: body.replace('"attempt":1', '"attempt":2') }),
    ];

    expect(answers.map((answer) => [answer.status, (answer.body.error as { reason: string }).reason])).toEqual([
      [401, 'missing_signature'],
      [401, 'missing_timestamp'],
      [401, 'stale_timestamp'],
      [401, 'future_timestamp'],
      [401, 'signature_mismatch'],
      [401, 'signature_mismatch'],
    ]);
    expect(await allEvents(server.store)).toHaveLength(0);
    expect(server.router.intake.stats().rejected).toEqual({ missing_signature: 1, missing_timestamp: 1, stale_timestamp: 1, future_timestamp: 1, signature_mismatch: 2 });
  });

  it('answers 400 with the issue to malformed JSON, an invalid envelope or payload, and bytes that are not UTF-8', async () => {
    const session = randomUUID();
    const noSession = webhookBody({ id: randomUUID(), eventType: 'call.answered', payload: { call_control_id: 'v3:x' } });
    const noId = JSON.stringify({ data: { record_type: 'event', event_type: 'call.answered', occurred_at: '2026-01-01T00:00:00Z', payload: legIds(session) } });

    const malformed = await server.deliver('{"data": {');
    const envelope = await server.deliver(noId);
    const payload = await server.deliver(noSession);
    const latin1 = await server.deliver(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));

    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', reason: 'malformed_json' } } });
    expect(envelope).toMatchObject({ status: 400, body: { error: { reason: 'invalid_envelope', issues: [expect.objectContaining({ path: ['data', 'id'] })] } } });
    expect(payload).toMatchObject({ status: 400, body: { error: { reason: 'invalid_payload', issues: [expect.objectContaining({ path: ['data', 'payload', 'call_session_id'] })] } } });
    expect(latin1).toMatchObject({ status: 400, body: { error: { reason: 'invalid_utf8' } } });
    expect(await allEvents(server.store)).toHaveLength(0);
  });

  it('answers 413 with a JSON error to a body over the limit, declared or streamed', async () => {
    const huge = webhookBody({ id: randomUUID(), eventType: 'call.answered', payload: { ...legIds(randomUUID()), padding: 'x'.repeat(300 * 1024) } });

    const declared = await server.deliver(huge);
    const streamed = await fetch(`${server.url}/webhooks/telnyx`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from(huge));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);

    expect(declared).toMatchObject({ status: 413, body: { error: { reason: 'body_too_large', message: 'the body exceeds 262144 bytes' } } });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { reason: 'body_too_large' } });
    expect(await allEvents(server.store)).toHaveLength(0);
    expect(server.router.intake.stats().rejected).toEqual({ body_too_large: 2 });
  });
});

describe('webhook bodies in a content encoding', () => {
  let server: WebhookServer;

  beforeAll(async () => {
    server = await startWebhookServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers a JSON error to a body that does not decompress or has an unknown encoding, and stores a gzipped one', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    const body = webhook.body();

    const undecodable = await Promise.all(['gzip', 'deflate', 'br'].map((encoding) => server.deliver(body, { headers: { 'content-encoding': encoding } })));
    const unknown = await server.deliver(body, { headers: { 'content-encoding': 'compress' } });

    for (const answer of undecodable) expect(answer).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', reason: 'unreadable_body' } } });
    expect(unknown).toMatchObject({ status: 415, body: { error: { reason: 'unreadable_body' } } });
    expect(await allEvents(server.store)).toHaveLength(0);
    // The signature covers the bytes after decompression.
    expect(await server.deliver(gzipSync(body), { headers: { 'content-encoding': 'gzip' }, signedBody: body })).toMatchObject({ status: 200, body: { status: 'appended' } });
  });
});

describe('two intakes on one store (primary and failover on different nodes)', () => {
  it('stores each webhook once when both receive the same deliveries at once', async () => {
    const primary = await startWebhookServer();
    const keys = primary.keys;
    const failover = await startWebhookServer({ dir: primary.dir, keys });
    try {
      const calls = Array.from({ length: 5 }, () => callWebhooks());
      const webhooks = calls.flat();
      const deliveries = shuffle(
        webhooks.flatMap((webhook) => [primary, failover, primary, failover].map((node, attempt) => ({ node, webhook, attempt }))),
        42,
      );

      const answers = await Promise.all(deliveries.map(({ node, webhook, attempt }) => node.deliver(webhook.body(attempt + 1))));

      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const stored = await allEvents(primary.store);
      expect(stored.map((event) => (event.data as TelnyxWebhookReceivedData).webhookId).sort()).toEqual(webhooks.map((webhook) => webhook.id).sort());
      // Both nodes may see "appended" for one webhook when the store takes the second append of the
      // same event at the same place as a retry; what is stored is what counts.
      const [a, b] = [primary.router.intake.stats(), failover.router.intake.stats()];
      expect(a.appended + a.duplicates + b.appended + b.duplicates).toBe(deliveries.length);
    } finally {
      await failover.close();
      await primary.close();
    }
  });
});

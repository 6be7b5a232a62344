import { startApp, type RunningApp } from './support';

describe('rate limits', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ CALLSTREAM_RATE_LIMIT_WEBHOOKS: '3', CALLSTREAM_RATE_LIMIT_GRAPHQL: '2', CALLSTREAM_RATE_LIMIT_WINDOW_SECONDS: '3600' });
  });

  afterAll(async () => {
    await running.close();
  });

  const graphql = (): Promise<Response> =>
    fetch(`${running.app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

  it('answers webhooks past the per-IP limit with 429 and Retry-After, before the intake sees them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await running.deliverWebhook();
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200]);

    const limited = await running.deliverWebhook();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('answers GraphQL requests past the per-IP limit with 429 and a GraphQL error body', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await graphql();
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const limited = await graphql();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
  });

  it('leaves the health routes and /metrics unlimited, and counts the refusals', async () => {
    const ready = await fetch(`${running.app.url}/health/ready`);
    expect(ready.status).toBe(200);
    await ready.body?.cancel();
    const metrics = await (await fetch(`${running.app.url}/metrics`)).text();
    expect(metrics).toMatch(/^callstream_http_rate_limited_total\{route="webhooks"\} 1$/m);
    expect(metrics).toMatch(/^callstream_http_rate_limited_total\{route="graphql"\} 1$/m);
  });
});

import Telnyx from 'telnyx';
import { createSimulator, type Simulator } from './index';
import { WebhookReceiver } from './testing/webhookReceiver';

interface ErrorBody {
  errors: { code: string; title: string; detail: string }[];
}

describe('simulator Call Control REST API', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let client: Telnyx;

  const api = async (method: string, path: string, body?: unknown, key: string | null = sim.apiKey): Promise<{ status: number; json: unknown }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const res = await fetch(`${sim.apiBaseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
  };
  const firstError = (json: unknown) => (json as ErrorBody).errors[0]!;
  const answeredCall = async (): Promise<string> => {
    const id = sim.world.placeCaller({ talkMs: null }).callControlId;
    await client.calls.actions.answer(id, {});
    return id;
  };

  beforeAll(async () => {
    sim = await createSimulator({ scale: 1 });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    client = new Telnyx({ apiKey: sim.apiKey, baseURL: sim.apiBaseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('answers 401 with a Telnyx error body without the bearer key, or with another key', async () => {
    for (const key of [null, 'not-the-key']) {
      const res = await api('POST', '/calls', { connection_id: sim.options.connectionId, to: '+15550000001', from: '+15550000002' }, key);
      expect(res.status).toBe(401);
      expect(firstError(res.json)).toMatchObject({ code: '10009', title: 'Authentication failed' });
    }
    expect(sim.control.calls()).toHaveLength(0);
  });

  it('answers 404/90015 for an unknown call_control_id', async () => {
    const res = await api('POST', '/calls/v3:nope/actions/hangup', {});
    expect(res.status).toBe(404);
    expect(firstError(res.json)).toMatchObject({ code: '90015', title: 'Invalid Call Control ID' });
    expect((await api('GET', '/calls/v3:nope')).status).toBe(404);
  });

  it('answers 422/90018 "Call has already ended" on a leg that hung up, and still reports its status', async () => {
    const id = await answeredCall();
    await client.calls.actions.hangup(id, {});
    const res = await api('POST', `/calls/${encodeURIComponent(id)}/actions/speak`, { payload: 'hello', voice: 'female' });
    expect(res.status).toBe(422);
    expect(firstError(res.json)).toMatchObject({ code: '90018', title: 'Call has already ended' });
    const sdkError: unknown = await client.calls.actions.hangup(id, {}).catch((e: unknown) => e);
    expect(sdkError).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect((sdkError as InstanceType<typeof Telnyx.APIError>).status).toBe(422);
    const status = await client.calls.retrieveStatus(id);
    expect(status.data).toMatchObject({ call_control_id: id, is_alive: false });
    expect(status.data?.end_time).toBeDefined();
  });

  it('validates required parameters and values with a clear detail', async () => {
    const id = await answeredCall();
    const path = `/calls/${encodeURIComponent(id)}/actions`;
    const missing = await api('POST', `${path}/speak`, { payload: 'hello' });
    expect(missing.status).toBe(422);
    expect(firstError(missing.json)).toMatchObject({ code: '10004', detail: "The 'voice' parameter is required." });

    const badCause = await api('POST', `${path}/reject`, { cause: 'NOPE' });
    expect(badCause.status).toBe(422);
    expect(firstError(badCause.json).detail).toMatch(/'cause'/);

    const noRole = await api('POST', `${path}/switch_supervisor_role`, {});
    expect(firstError(noRole.json).detail).toMatch(/'role'/);

    const dial = (body: Record<string, unknown>) => api('POST', '/calls', { connection_id: sim.options.connectionId, to: '+15550000001', from: '+15550000002', ...body });
    expect(firstError((await dial({ timeout_secs: 2 })).json).detail).toMatch(/'timeout_secs'/);
    expect(firstError((await dial({ bridge_on_answer: true })).json)).toMatchObject({ code: '10004', detail: "The 'link_to' parameter is required." });
    expect(firstError((await dial({ connection_id: 'someone-else' })).json).detail).toMatch(/'connection_id'/);
    expect(firstError((await api('POST', '/calls', { connection_id: sim.options.connectionId, from: '+1' })).json).detail).toMatch(/'to'/);

    const bridgeBoth = await api('POST', `${path}/bridge`, { call_control_id: id, queue: 'q' });
    expect(bridgeBoth.status).toBe(422);
    const malformed = await api('POST', `${path}/hangup`, '{not json');
    expect(malformed.status).toBe(400);
    expect((await api('POST', `${path}/teleport`, {})).status).toBe(404);
    await client.calls.actions.hangup(id, {});
  });

  it('ignores a repeated command_id on the same leg within 60 simulated seconds, and counts it', async () => {
    const id = await answeredCall();
    const other = await answeredCall();
    const before = sim.control.counters().commands;
    const speak = { payload: 'Only once, please.', voice: 'female', command_id: 'speak-1' };
    await client.calls.actions.speak(id, speak);
    const again = await client.calls.actions.speak(id, speak);
    expect(again.data).toEqual({ result: 'ok' });
    await client.calls.actions.speak(other, speak);
    await receiver.waitUntil(() => receiver.legEvents(other).some((e) => e.event_type === 'call.speak.started'), 'speak on the other leg');
    expect(receiver.legEvents(id).filter((e) => e.event_type === 'call.speak.started')).toHaveLength(1);
    const after = sim.control.counters().commands;
    expect(after.duplicateCommandIds).toBe(before.duplicateCommandIds + 1);
    expect(after.received.speak).toBe((before.received.speak ?? 0) + 3);

    sim.control.advance(61_000);
    await client.calls.actions.speak(id, speak);
    await receiver.waitUntil(() => receiver.legEvents(id).filter((e) => e.event_type === 'call.speak.started').length === 2, 'a second speak after the window');
    expect(sim.control.counters().commands.duplicateCommandIds).toBe(after.duplicateCommandIds);
    await client.calls.actions.hangup(id, {});
    await client.calls.actions.hangup(other, {});
  });

  it('answers a repeated dial command_id with the first dial, without dialing again', async () => {
    const body = { connection_id: sim.options.connectionId, to: '+15550000009', from: '+15550000002', command_id: 'dial-1' };
    const first = await client.calls.dial(body);
    const second = await client.calls.dial(body);
    expect(second.data).toEqual(first.data);
    expect(first.data).toMatchObject({ is_alive: false, record_type: 'call' });
    expect(sim.control.calls().filter((c) => c.to === '+15550000009')).toHaveLength(1);
    expect(sim.control.counters().commands.duplicateCommandIdsByAction.dial).toBe(1);
    await client.calls.actions.hangup(first.data!.call_control_id, {});
  });

  it('answers 404/10005 for an unknown queue and lists queue calls with pagination', async () => {
    expect(firstError((await api('GET', '/queues/none')).json)).toMatchObject({ code: '10005' });
    const ids = [await answeredCall(), await answeredCall(), await answeredCall()];
    for (const id of ids) await client.calls.actions.enqueue(id, { queue_name: 'paged' });
    const page = await api('GET', '/queues/paged/calls?page[number]=2&page[size]=2');
    expect(page.json).toMatchObject({ meta: { page_number: 2, page_size: 2, total_pages: 2, total_results: 3 } });
    const all: string[] = [];
    for await (const c of client.queues.calls.list('paged', { 'page[size]': 2 })) all.push(c.call_control_id);
    expect(all).toEqual(ids);
    for (const id of ids) await client.calls.actions.hangup(id, {});
    expect((await client.queues.retrieve('paged')).data).toMatchObject({ current_size: 0, max_size: 100 });
  });
});

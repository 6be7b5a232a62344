import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { CallEvent } from '../calls/callEvents';
import { callAnswered, callInitiated } from '../calls/webhookFixtures';
import type { TelnyxWebhookData } from '../calls/webhook';
import { UnavailableError } from '../core/errors';
import type { CrmPort } from '../crm/crmPort';
import { embeddedCrm } from '../crm/embeddedContacts';
import { SqliteEventStore } from '../infrastructure/eventStore/sqlite/sqliteEventStore';
import type { CommandResult, TelnyxPort } from '../infrastructure/telnyx/telnyx';
import { FileRecordingStore } from '../recordings/fileRecordingStore';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { systemClock } from './clock';
import { Reactor } from './reactor';

const silent = pino({ level: 'silent' });

interface Sent {
  action: string;
  commandId: string;
}

/** A Telnyx port that records the commands it is sent; `fail` makes it unreachable. */
const recordingTelnyx = () => {
  const sent: Sent[] = [];
  const state = { fail: false };
  const port = {
    command: async (_id: string, command: { action: string }, commandId: string): Promise<CommandResult> => {
      sent.push({ action: command.action, commandId });
      if (state.fail) throw new UnavailableError('Telnyx is down');
      return { result: 'ok' };
    },
    retrieveCall: async (id: string) => ({ call_control_id: id, call_leg_id: 'l', call_session_id: 's', is_alive: true }),
  };
  return { port: port as unknown as TelnyxPort, sent, state };
};

describe('the reactor on the embedded stores', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  const running: Reactor[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-reactor-'));
    store = new SqliteEventStore({ dataDir: dir, logger: silent, pollIntervalMs: 5 });
    readModels = new SqliteReadModelStore({ dataDir: dir, logger: silent });
  });

  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reactor = (telnyx: TelnyxPort, options: { crm?: CrmPort; crmTimeoutMs?: number } = {}): Reactor => {
    const r = new Reactor({
      eventStore: store,
      readModels,
      telnyx,
      recordings: new FileRecordingStore({ dataDir: dir }),
      clock: systemClock(),
      crm: options.crm ?? embeddedCrm(),
      crmTimeoutMs: options.crmTimeoutMs,
      logger: silent,
      leaseTtlMs: 600,
      checkpointIntervalMs: 50,
    });
    running.push(r);
    r.start();
    return r;
  };

  const stop = async (r: Reactor): Promise<void> => {
    running.splice(running.indexOf(r), 1);
    await r.stop();
  };

  /** What the webhook intake appends. */
  const deliver = async (webhook: TelnyxWebhookData): Promise<void> => {
    await store.append(`call-${webhook.callSessionId ?? ''}`, [{ id: randomUUID(), type: 'TelnyxWebhookReceived', data: webhook, metadata: { actor: 'telnyx' } }]);
  };

  const incoming = (session: string, from = '+15550200103'): TelnyxWebhookData =>
    callInitiated({ id: randomUUID(), at: new Date().toISOString(), session, callControlId: `v3:${session}`, clientState: null, from, to: '+15550100000', direction: 'incoming' });

  const callEvents = async (session: string): Promise<CallEvent[]> => (await store.readStream(`call-${session}`)).map((e) => ({ type: e.type, data: e.data }) as CallEvent);

  const eventually = async <T>(check: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('seeds the default configuration once', async () => {
    const first = reactor(recordingTelnyx().port);
    await first.whenActive();
    const settings = await store.readStream('config-settings');
    expect(settings.map((e) => e.type)).toEqual(['ContactCenterSettingsConfigured']);
    await stop(first);
    const second = reactor(recordingTelnyx().port);
    await second.whenActive();
    expect(await store.readStream('config-settings')).toHaveLength(1);
    expect(Object.keys(second.routingView().config.queues).sort()).toEqual(['billing', 'sales', 'support']);
  });

  it('resumes from its saved state and never replays history into Telnyx', async () => {
    const before = recordingTelnyx();
    const first = reactor(before.port);
    await first.whenActive();
    await deliver(incoming('s1'));
    await eventually(async () => ((await callEvents('s1')).some((e) => e.type === 'TelnyxCommandAccepted') ? true : undefined));
    await first.settled();
    expect(before.sent.map((s) => s.action)).toEqual(['answer']);
    await stop(first);

    const after = recordingTelnyx();
    const second = reactor(after.port);
    await second.whenActive();
    await second.settled();
    expect(second.status().checkpoint).toBeGreaterThan(0n);
    expect(after.sent).toEqual([]);

    await deliver(callAnswered({ id: randomUUID(), at: new Date().toISOString(), session: 's1', callControlId: 'v3:s1', clientState: { callId: 's1', role: 'customer' } }));
    await eventually(async () => (after.sent.length > 0 ? true : undefined));
    expect(after.sent.map((s) => s.action)).toEqual(['gather_using_speak']);
  });

  it('sends a command whose outcome was never recorded again after a restart, with the same command_id', async () => {
    const down = recordingTelnyx();
    down.state.fail = true;
    const first = reactor(down.port);
    await first.whenActive();
    await deliver(incoming('s2'));
    await eventually(async () => (down.sent.length > 0 ? true : undefined));
    await stop(first);
    const requested = (await callEvents('s2')).find((e): e is Extract<CallEvent, { type: 'TelnyxCommandRequested' }> => e.type === 'TelnyxCommandRequested');
    expect((await callEvents('s2')).some((e) => e.type === 'TelnyxCommandAccepted' || e.type === 'TelnyxCommandFailed')).toBe(false);

    const up = recordingTelnyx();
    const second = reactor(up.port);
    await second.whenActive();
    await eventually(async () => ((await callEvents('s2')).some((e) => e.type === 'TelnyxCommandAccepted') ? true : undefined));
    expect(up.sent).toEqual([{ action: 'answer', commandId: requested?.data.commandId }]);
  });

  it('stands by while another reactor holds the lease, and takes over when it is gone', async () => {
    const a = recordingTelnyx();
    const b = recordingTelnyx();
    const first = reactor(a.port);
    await first.whenActive();
    const second = reactor(b.port);
    let secondActive = false;
    void second.whenActive().then(() => (secondActive = true));
    await deliver(incoming('s3'));
    await eventually(async () => (a.sent.length > 0 ? true : undefined));
    expect(secondActive).toBe(false);
    expect(b.sent).toEqual([]);

    await stop(first);
    await second.whenActive();
    await deliver(incoming('s4'));
    await eventually(async () => (b.sent.length > 0 ? true : undefined));
    expect(b.sent.map((s) => s.action)).toEqual(['answer']);
    expect(second.status().epoch).toBeGreaterThan(1);
  });

  it('never holds a call up for a slow CRM: the caller is recorded as unknown once the lookup times out', async () => {
    const telnyx = recordingTelnyx();
    const slowCrm: CrmPort = { findByPhoneNumber: () => new Promise(() => undefined) };
    const r = reactor(telnyx.port, { crm: slowCrm, crmTimeoutMs: 200 });
    await r.whenActive();
    await deliver(incoming('s5', '+15550200102'));
    const events = await eventually(async () => {
      const all = await callEvents('s5');
      return all.some((e) => e.type === 'CallerIdentified') ? all : undefined;
    });
    const types = events.map((e) => e.type);
    // The answer was requested (and sent) before the CRM gave up.
    expect(types.indexOf('TelnyxCommandRequested')).toBeLessThan(types.indexOf('CallerIdentified'));
    expect(events.find((e): e is Extract<CallEvent, { type: 'CallerIdentified' }> => e.type === 'CallerIdentified')?.data).toMatchObject({ number: '+15550200102', contact: null });
    expect(telnyx.sent.map((s) => s.action)).toEqual(['answer']);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandHandler, type CommandMetadata } from '../core/decider';
import { IllegalStateError } from '../core/errors';
import { SqliteEventStore } from '../infrastructure/eventStore/sqlite/sqliteEventStore';
import { agentStreamId, type AgentEvent } from './agent';
import { agentDecider, type AgentCommand } from './agentDecider';

const meta = (commandId: string): CommandMetadata => ({ now: '2026-03-02T15:00:00.000Z', commandId, actor: 'reactor' });

describe('reserving agents on the embedded event store', () => {
  let dir: string;
  let store: SqliteEventStore;
  const handle = CommandHandler(agentDecider);
  const run = (command: AgentCommand) => handle(store, agentStreamId(command.data.agentId), (state) => agentDecider.decide(command, state), { metadata: { causationId: command.metadata.commandId } });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-reservation-'));
    store = new SqliteEventStore({ dataDir: dir });
    await run({ type: 'LogIn', data: { agentId: 'alice' }, metadata: meta('login') });
    await run({ type: 'RegisterDevice', data: { agentId: 'alice', credentialId: 'cred-1', sipUsername: 'alice-sip' }, metadata: meta('register') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reserve = (offerId: string, callId: string): AgentCommand => ({
    type: 'ReserveAgent',
    data: { agentId: 'alice', offerId, callId, queueId: 'sales', purpose: 'queue', expiresAt: '2026-03-02T15:00:40.000Z' },
    metadata: meta(`reserve-${offerId}`),
  });

  it('two calls racing for one agent: exactly one reservation is appended, the other is refused', async () => {
    const results = await Promise.allSettled([run(reserve('offer-a', 'call-a')), run(reserve('offer-b', 'call-b'))]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(IllegalStateError);
    const reserved = (await store.readStream(agentStreamId('alice'))).filter((e) => e.type === 'AgentReserved');
    expect(reserved).toHaveLength(1);
  });

  it('a reservation decided on a stale revision is refused by the store', async () => {
    const revision = await store.streamRevision(agentStreamId('alice'));
    if (revision === 'no_stream') throw new Error('the agent stream should exist');
    await run(reserve('offer-a', 'call-a'));
    const stale: AgentEvent[] = [{ type: 'AgentReserved', data: { agentId: 'alice', occurredAt: '2026-03-02T15:00:00.000Z', offerId: 'offer-b', callId: 'call-b', queueId: 'sales', purpose: 'queue', expiresAt: '2026-03-02T15:00:40.000Z' } }];
    await expect(handle(store, agentStreamId('alice'), () => stale, { expectedRevision: revision })).rejects.toMatchObject({ code: 'CONCURRENCY' });
  });
});

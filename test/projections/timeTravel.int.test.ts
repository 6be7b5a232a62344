import { ValidationError } from '../../api/core/errors';
import { centerConfigCommands } from '../../bench/projections/centerSimulation';
import type { AgentProfile } from '../../api/config/config';
import { agentViewsAsOf, centerAsOf, queueViewsAsOf } from '../../projections/timeTravel';
import { appendAll, closeStores, openStores, simulate, type Stores } from './support/harness';

/**
 * ann serves sales; three callers arrive a minute apart while she talks to the first for ten minutes
 * (Telnyx answers 1 s after `answer`, IVR prompts take 4 s: a caller is queued 9 s after arriving).
 */
const at = (hhmmss: string): string => `2026-03-02T${hhmmss}.000Z`;
const ann: AgentProfile = { agentId: 'ann', name: 'Ann', skills: [{ skill: 'sales', level: 5 }], languages: ['en'], departments: ['sales'], maxNoAnswer: 3, wrapUpSeconds: 30, mayCallOut: true, supervisor: false };

describe('time travel', () => {
  let stores: Stores;

  beforeAll(async () => {
    stores = openStores();
    await appendAll(
      stores.events,
      simulate({
        start: at('08:00:00'),
        configCommands: centerConfigCommands(at('08:00:00'), [ann]),
        latencies: { answer: 1, gather: 4, dial: 0 },
        agents: [{ agentId: 'ann', loginAt: at('08:55:00'), logoutAt: at('10:00:00') }],
        calls: ['T1', 'T2', 'T3'].map((callId, i) => ({
          callId,
          at: at(`09:0${i}:00`),
          from: `+1555060000${i}`,
          digits: ['1', '1'],
          talkSeconds: i === 0 ? 600 : 60,
          answerAfterSeconds: 5,
        })),
      }),
    );
  });

  afterAll(async () => {
    await closeStores(stores);
  });

  it('returns the queues as they were at a past time, waits counted up to that time', async () => {
    const queues = await queueViewsAsOf(stores.events, { time: at('09:02:30') });
    const sales = queues.find((q) => q.queueId === 'sales')!;
    expect(sales.calls.map((c) => [c.callId, c.position, c.waitedSeconds])).toEqual([
      ['T2', 1, 81],
      ['T3', 2, 21],
    ]);
    expect(sales.longestWaitSeconds).toBe(81);
    expect(queues.map((q) => q.queueId)).toEqual(['billing', 'sales', 'support']);
    // Before anything happened there is nothing to show.
    expect(await queueViewsAsOf(stores.events, { time: at('07:00:00') })).toEqual([]);
  });

  it('returns the agents as they were, and agrees when asked by position', async () => {
    const agents = await agentViewsAsOf(stores.events, { time: new Date(at('09:05:00')) });
    expect(agents.map((a) => [a.agentId, a.state, a.currentCall?.callId])).toEqual([['ann', 'OnCall', 'T1']]);
    // The last event at or before 09:02:30 is where the same views were by position.
    const events = await stores.events.readAll({ maxCount: 100_000 });
    const last = [...events].reverse().find((e) => (e.data as { occurredAt: string }).occurredAt <= at('09:02:30'))!;
    const byPosition = await centerAsOf(stores.events, { position: last.position });
    const byTime = await centerAsOf(stores.events, { time: at('09:02:30') });
    expect(byPosition.queues.find((q) => q.queueId === 'sales')!.calls.map((c) => c.callId)).toEqual(['T2', 'T3']);
    expect(byPosition.agents).toEqual(byTime.agents);
  });

  it('refuses a moment that is not one', async () => {
    await expect(centerAsOf(stores.events, { time: 'yesterday-ish' })).rejects.toBeInstanceOf(ValidationError);
    await expect(centerAsOf(stores.events, { position: -1n })).rejects.toBeInstanceOf(ValidationError);
  });
});

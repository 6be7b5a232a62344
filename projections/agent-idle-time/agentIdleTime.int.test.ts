import type { AgentProfile, BusinessHoursConfig } from '../../api/config/config';
import type { ConfigCommand } from '../../api/config/configDecider';
import { centerConfigCommands, type CallPlan } from '../../bench/projections/centerSimulation';
import { appendAll, closeStores, openStores, simulate, type Stores } from '../../test/projections/support/harness';
import { rebuildAll } from '../runner/projectionRunner';
import { reportsProjection } from '../reports/reportsProjection';
import { queueDays } from '../reports/queries';
import { centerAsOf } from '../timeTravel';
import { agentIdleTimeProjection } from './agentIdleTimeProjection';
import { agentView, agentViews, idleSecondsAt } from './queries';

/**
 * A night shift in New York (the catch-all number uses hours in America/New_York, open around the
 * clock; on 2 March 2026 New York is UTC−5), with round latencies: Telnyx answers 1 s after `answer`,
 * IVR prompts take 4 s (a caller pressing 1, 1 is queued 9 s after arriving), agents answer 5 s after
 * their phone rings.
 *   ann (wrap-up 30 s) logs in at 23:00 New York time (04:00 UTC); nico (no wrap-up) at 23:01.
 *   N1 arrives 04:50:00 UTC → queued 04:50:09 → ann (idle longest) answers 04:50:14, holds 10 s from
 *      04:50:24, talks 60 s in all → 04:51:14 (23:51 on 2 March in New York), wraps up until 04:51:44.
 *   N2 arrives 04:55:00 → queued 04:55:09 → nico answers 04:55:14, 30 s → 04:55:44; no wrap-up.
 *   N3 arrives 05:10:00 (00:10 on 3 March in New York) → queued 05:10:09 → ann (idle since 04:51:44,
 *      longer than nico since 04:55:44) lets it ring out for 20 s, then nico answers at 05:10:34,
 *      talks 120 s → 05:12:34, no wrap-up.
 */
const at = (utc: string): string => `2026-03-03T${utc}.000Z`;
const profile = (agentId: string, wrapUpSeconds: number): AgentProfile => ({
  agentId,
  name: agentId === 'ann' ? 'Ann Lee' : 'Nico Park',
  skills: [{ skill: 'sales', level: 5 }],
  languages: ['en'],
  departments: ['sales'],
  maxNoAnswer: 3,
  wrapUpSeconds,
  mayCallOut: true,
  supervisor: false,
});

const newYork: BusinessHoursConfig = {
  hoursId: 'new-york',
  name: 'New York, around the clock',
  timezone: 'America/New_York',
  weekly: (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, open: '00:00', close: '24:00' })),
  holidays: [],
  afterHours: { message: { en: 'Closed.' }, voicemail: false },
};

const configCommands = (): ConfigCommand[] => {
  const metadata = { now: at('03:00:00'), commandId: 'seed-new-york', actor: 'system' };
  return [
    ...centerConfigCommands(at('03:00:00'), [profile('ann', 30), profile('nico', 0)]),
    { type: 'ConfigureBusinessHours', data: { hours: newYork }, metadata },
    { type: 'ConfigurePhoneNumber', data: { phoneNumber: { number: '*', entryMenuId: 'welcome', hoursId: 'new-york' } }, metadata },
  ];
};

const call = (callId: string, arrives: string, rest: Partial<CallPlan>): CallPlan => ({ callId, at: at(arrives), from: '+15550500001', digits: ['1', '1'], talkSeconds: 60, answerAfterSeconds: 5, ...rest });

describe('agent idle time', () => {
  let stores: Stores;

  beforeAll(async () => {
    stores = openStores();
    const appends = simulate({
      start: at('03:00:00'),
      configCommands: configCommands(),
      latencies: { answer: 1, gather: 4, dial: 0 },
      agents: [
        { agentId: 'ann', loginAt: at('04:00:00'), logoutAt: at('06:00:00') },
        { agentId: 'nico', loginAt: at('04:01:00') },
      ],
      calls: [
        call('N1', '04:50:00', { hold: { afterSeconds: 10, seconds: 10 } }),
        call('N2', '04:55:00', { talkSeconds: 30 }),
        call('N3', '05:10:00', { talkSeconds: 120, noAnswerBy: ['ann'] }),
      ],
    });
    await appendAll(stores.events, appends);
    await rebuildAll([agentIdleTimeProjection(), reportsProjection()], { eventStore: stores.events, readModels: stores.readModels });
  });

  afterAll(async () => {
    await closeStores(stores);
  });

  it('counts idle time from the end of the last wrap-up, or of the last call when there is none', async () => {
    const { agents } = await centerAsOf(stores.events, { time: at('05:00:00') });
    const ann = agents.find((a) => a.agentId === 'ann')!;
    const nico = agents.find((a) => a.agentId === 'nico')!;
    expect(ann).toMatchObject({ name: 'Ann Lee', status: 'Available', state: 'Available', stateSince: at('04:51:44'), idleSince: at('04:51:44'), currentCall: null, callsHandled: 1 });
    expect(nico).toMatchObject({ state: 'Available', idleSince: at('04:55:44'), callsHandled: 1 });
    expect(idleSecondsAt(ann, at('05:00:00'))).toBe(496);
  });

  it('shows the state with the time it was entered, the current call and the device', async () => {
    const onCall = (await centerAsOf(stores.events, { time: at('04:50:30') })).agents.find((a) => a.agentId === 'ann')!;
    expect(onCall).toMatchObject({
      state: 'OnCall',
      stateSince: at('04:50:14'),
      activity: { kind: 'OnCall', callId: 'N1', since: at('04:50:14') },
      currentCall: { callId: 'N1', direction: 'inbound', queueId: 'sales', via: 'queue', held: true, heldSince: at('04:50:24') },
      device: { credentialId: 'cred-ann', sipUsername: 'annsip', registered: true },
      idleSince: at('04:00:00'),
    });
    const wrapping = (await centerAsOf(stores.events, { time: at('04:51:20') })).agents.find((a) => a.agentId === 'ann')!;
    expect(wrapping).toMatchObject({ state: 'WrapUp', stateSince: at('04:51:14'), wrapUp: { callId: 'N1', until: at('04:51:44') }, currentCall: null });
    const ringing = (await centerAsOf(stores.events, { time: at('05:10:20') })).agents.find((a) => a.agentId === 'ann')!;
    expect(ringing).toMatchObject({ state: 'Ringing', stateSince: at('05:10:09'), offer: { callId: 'N3' } });
  });

  it("keeps today's talk, hold and wrap-up time by the center's day, and the misses in a row", async () => {
    const { agents } = await centerAsOf(stores.events, { time: at('05:00:00') });
    // Before midnight in New York: N1 was ann's call of 2 March (60 s connected, 10 of them on hold).
    expect(agents.find((a) => a.agentId === 'ann')!.today).toEqual({
      date: '2026-03-02',
      callsHandled: 1,
      inboundCalls: 1,
      outboundCalls: 0,
      talkSeconds: 50,
      holdSeconds: 10,
      wrapUpSeconds: 30,
      offersMissed: 0,
      offersRejected: 0,
    });
    // After midnight the day starts again: ann's first event of 3 March is the offer of N3 she missed.
    const ann = (await agentView(stores.readModels, 'ann'))!;
    expect(ann.today).toMatchObject({ date: '2026-03-03', callsHandled: 0, talkSeconds: 0, offersMissed: 1 });
    expect(ann).toMatchObject({ state: 'Offline', callsHandled: 1, missedInARow: 1, lastCall: { callId: 'N1', talkSeconds: 50, holdSeconds: 10, wrapUpSeconds: 30 } });
    const nico = (await agentView(stores.readModels, 'nico'))!;
    expect(nico).toMatchObject({ state: 'Available', idleSince: at('05:12:34'), callsHandled: 2, missedInARow: 0, lastCall: { callId: 'N3', talkSeconds: 120, wrapUpSeconds: null } });
    expect(nico.today).toMatchObject({ date: '2026-03-03', callsHandled: 1, talkSeconds: 120, wrapUpSeconds: 0 });
    expect((await agentViews(stores.readModels, { state: 'Available' })).map((a) => a.agentId)).toEqual(['nico']);
  });

  it('rolls reports up by the same day', async () => {
    const days = await queueDays(stores.readModels, { queueId: 'sales', fromDate: '2026-03-01', toDate: '2026-03-04' });
    expect(days.map((d) => [d.date, d.offered, d.answered])).toEqual([
      ['2026-03-02', 2, 2],
      ['2026-03-03', 1, 1],
    ]);
  });
});
